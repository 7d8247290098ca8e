package org.dossier.prescribing;

import org.dossier.platform.Deferred;
import org.dossier.platform.QueryBatch;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.access.AccessGateway;
import org.dossier.care.StayService;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.AllergyService;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.access.PatientFacts;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.Imported;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Located;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Prescribing: orders checked against the patient's allergies, stopped, completed and renewed, never edited. */
@Service
public class PrescriptionService {

    private static final Pattern ATC = Pattern.compile("[A-Z]\\d{2}[A-Z]{0,2}\\d{0,2}");
    /** The routes of administration an order may name, commonest first. */
    public static final List<String> ROUTES = List.of("ORAL", "IV", "IM", "SC", "INHALED", "TOPICAL", "RECTAL", "SUBLINGUAL", "TRANSDERMAL",
            "OPHTHALMIC", "NASAL");

    private final MedicationOrderRepository orders;
    private final AccessGateway gateway;
    private final AllergyService allergies;
    private final StayService stays;
    private final VersionLog versions;
    private final Clock clock;

    PrescriptionService(MedicationOrderRepository orders, AccessGateway gateway, AllergyService allergies, StayService stays,
                        @Qualifier("prescribingVersions") VersionLog prescribingVersions, Clock clock) {
        this.orders = orders;
        this.gateway = gateway;
        this.allergies = allergies;
        this.stays = stays;
        this.versions = prescribingVersions;
        this.clock = clock;
    }

    /** A new order as the prescriber writes it. {@code allergyOverrideReason} is needed only when it conflicts with an allergy. */
    public record OrderInput(String drug, String atcCode, String cip13, String dose, String route, String frequency, Integer durationDays,
                             LocalDate startDate, Long stayId, String allergyOverrideReason) {
    }

    @Transactional
    public MedicationOrder prescribe(Actor actor, long patientId, OrderInput in) {
        actor.requireAnyRole("prescribe", Role.PHYSICIAN);
        PatientAccess access = gateway.write(actor, patientId, Section.PRESCRIPTIONS, AuditAction.CREATE, AuditResource.MedicationOrder, null,
                "version 1");
        PatientFacts patient = access.patient().requireActive();
        validate(in);
        if (in.stayId() != null && stays.read(actor, in.stayId()).patientId() != patient.id()) {
            throw new InvalidInputException("stayId", "stay " + in.stayId() + " is not a stay of this patient");
        }
        String override = checkAllergies(actor, patient.id(), in.drug(), in.atcCode(), in.allergyOverrideReason());
        Instant now = clock.instant();
        LocalDate start = in.startDate() == null ? LocalDate.now(clock) : in.startDate();
        LocalDate end = in.durationDays() == null ? null : start.plusDays(in.durationDays() - 1L);
        MedicationOrder draft = new MedicationOrder(0, patient.facilityId(), patient.id(), in.stayId(), in.drug().strip(),
                upper(in.atcCode()), Texts.clean(in.cip13()), in.dose().strip(), in.route().strip().toUpperCase(), in.frequency().strip(),
                in.durationDays(), start, end, MedicationOrder.Status.ACTIVE, actor.staffId(), null, override, null, 1, now);
        return logged(access, orders.insert(access, draft, now), override == null ? "prescribed" : "prescribed despite an allergy", now);
    }

    /**
     * A medication order from another system's history, recorded as it was (it is not a prescription made here: no
     * allergy check, a start in the past, the dose as the source wrote it). {@code source} says where it comes from
     * and who prescribed it; it is the reason of the order's first version. {@code status} is the source's (an order
     * stopped there is stopped here), {@code authoredAt} when the source's prescriber wrote it, {@code details} what else
     * the source said (its codings, intent, requester).
     */
    public record HistoricalOrder(String drug, String atcCode, String dose, String route, String frequency, LocalDate startDate,
                                  LocalDate endDate, MedicationOrder.Status status, String source, Instant authoredAt, Imported details) {
    }

    @Transactional
    public MedicationOrder recordHistory(Actor actor, long patientId, HistoricalOrder in) {
        actor.requireAnyRole("record medication history", Role.PHYSICIAN);
        PatientAccess access = gateway.write(actor, patientId, Section.PRESCRIPTIONS, AuditAction.CREATE, AuditResource.MedicationOrder, null,
                "version 1");
        PatientFacts patient = access.patient();
        List<FieldError> errors = new ArrayList<>();
        if (Texts.isBlank(in.drug()) || in.drug().length() > 200) {
            errors.add(new FieldError("drug", "is required (at most 200 characters)"));
        }
        if (in.startDate() == null || in.startDate().isAfter(LocalDate.now(clock))) {
            errors.add(new FieldError("startDate", "is required and not in the future"));
        } else if (in.endDate() != null && in.endDate().isBefore(in.startDate())) {
            errors.add(new FieldError("endDate", "is before the start"));
        }
        if (in.atcCode() != null && !ATC.matcher(in.atcCode().strip().toUpperCase()).matches()) {
            errors.add(new FieldError("atcCode", "must be an ATC code such as J01CA04"));
        }
        if (Texts.isBlank(in.source())) {
            errors.add(new FieldError("source", "is required: where the order comes from"));
        }
        if (in.authoredAt() != null && in.authoredAt().isAfter(clock.instant().plusSeconds(300))) {
            errors.add(new FieldError("authoredOn", "is in the future"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Instant now = clock.instant();
        MedicationOrder draft = new MedicationOrder(0, patient.facilityId(), patient.id(), null, in.drug().strip(), upper(in.atcCode()),
                null, orStated(in.dose()), orStated(in.route()).toUpperCase(), orStated(in.frequency()), null, in.startDate(), in.endDate(),
                in.status() == null ? MedicationOrder.Status.COMPLETED : in.status(), actor.staffId(), null, null, null, 1, now,
                in.authoredAt() == null ? now : in.authoredAt(), in.details());
        // the sender's source label may name the patient (Synthea names its files after them): not in the clear version reason
        return logged(access, orders.insert(access, draft, now), "imported history", now);
    }

    private static String orStated(String value) {
        return Texts.isBlank(value) ? "not stated" : value.strip();
    }

    /** Renews an active order: the old one is completed and a new one, pointing to it, starts. */
    @Transactional
    public MedicationOrder renew(Actor actor, long orderId, int expectedVersion, Integer durationDays, String allergyOverrideReason) {
        actor.requireAnyRole("renew prescriptions", Role.PHYSICIAN);
        Active active = active(actor, orderId, AuditAction.STATUS, MedicationOrder.Status.COMPLETED, "renewed by a new order, version 1");
        MedicationOrder old = active.order();
        int days = durationDays == null ? (old.durationDays() == null ? 30 : old.durationDays()) : durationDays;
        if (days < 1 || days > 365) {
            throw new InvalidInputException("durationDays", "must be between 1 and 365");
        }
        String override = checkAllergies(actor, old.patientId(), old.drug(), old.atcCode(), allergyOverrideReason);
        Instant now = clock.instant();
        LocalDate today = LocalDate.now(clock);
        if (!orders.changeStatus(active.access(), orderId, expectedVersion, MedicationOrder.Status.COMPLETED, "renewed", today, now)) {
            throw ConflictException.stale(orderId, expectedVersion, old.version());
        }
        logged(active.access(), orderId, "completed: renewed", now);
        MedicationOrder renewal = new MedicationOrder(0, old.facilityId(), old.patientId(), old.stayId(), old.drug(), old.atcCode(),
                old.cip13(), old.dose(), old.route(), old.frequency(), days, today, today.plusDays(days - 1L), MedicationOrder.Status.ACTIVE,
                actor.staffId(), old.id(), override, null, 1, now);
        return logged(active.access(), orders.insert(active.access(), renewal, now), "renewal of order " + orderId, now);
    }

    @Transactional
    public MedicationOrder stop(Actor actor, long orderId, int expectedVersion, String reason) {
        actor.requireAnyRole("stop prescriptions", Role.PHYSICIAN);
        return close(actor, orderId, expectedVersion, MedicationOrder.Status.STOPPED, Texts.requireReason(reason), AuditAction.STATUS);
    }

    @Transactional
    public MedicationOrder complete(Actor actor, long orderId, int expectedVersion) {
        actor.requireAnyRole("complete prescriptions", Role.PHYSICIAN, Role.NURSE);
        return close(actor, orderId, expectedVersion, MedicationOrder.Status.COMPLETED, "treatment completed", AuditAction.STATUS);
    }

    @Transactional
    public MedicationOrder markEnteredInError(Actor actor, long orderId, int expectedVersion, String reason) {
        actor.requireAnyRole("correct prescriptions", Role.PHYSICIAN);
        return close(actor, orderId, expectedVersion, MedicationOrder.Status.ENTERED_IN_ERROR, Texts.requireReason(reason), AuditAction.ENTERED_IN_ERROR);
    }

    public MedicationOrder read(Actor actor, long orderId) {
        requireReader(actor);
        return orders.find(readAccess(actor, orderId), orderId).orElseThrow(() -> notFound(orderId));
    }

    /** The decision to read one order, taken on whose order it is. */
    private PatientAccess readAccess(Actor actor, long orderId) {
        return gateway.read(actor, located(orderId).patientId(), Section.PRESCRIPTIONS, AuditResource.MedicationOrder, orderId);
    }

    private Located located(long orderId) {
        return Located.of(orders.locate(orderId), MedicationOrderRepository.STATUSES).orElseThrow(() -> notFound(orderId));
    }

    private static NotFoundException notFound(long orderId) {
        return new NotFoundException("No prescription " + orderId);
    }

    /** The patient's prescription history, newest first (or the active orders only). */
    public List<MedicationOrder> ofPatient(Actor actor, long patientId, boolean activeOnly) {
        requireReader(actor);
        return ofPatient(gateway.read(actor, patientId, Section.PRESCRIPTIONS, AuditResource.MedicationOrder, null), activeOnly);
    }

    /** Under an access already granted and audited (the chart). */
    public List<MedicationOrder> ofPatient(PatientAccess granted, boolean activeOnly) {
        return org.dossier.platform.RecordLimits.whole(orders.ofPatient(granted.require(Section.PRESCRIPTIONS), activeOnly,
                org.dossier.platform.RecordLimits.fetch()), "prescriptions");
    }

    /** {@link #ofPatient(PatientAccess, boolean)}, read with other sections in one round trip when {@code batch} runs. */
    public Deferred<List<MedicationOrder>> ofPatient(PatientAccess granted, boolean activeOnly, QueryBatch batch) {
        return batch.add(orders.ofPatientQuery(granted.require(Section.PRESCRIPTIONS), activeOnly,
                org.dossier.platform.RecordLimits.fetch())).map(found -> org.dossier.platform.RecordLimits.whole(found, "prescriptions"));
    }

    public List<VersionLog.Version<MedicationOrder>> history(Actor actor, long orderId) {
        requireReader(actor);
        return versions.history("medication_order", orderId, readAccess(actor, orderId).patientId(), MedicationOrder.class);
    }

    /**
     * {@link #read}, with the time the record's current version was recorded (the Last-Modified of an answer showing it;
     * null when that version is not kept): one gateway decision, as a read.
     */
    public VersionLog.Dated<MedicationOrder> readDated(Actor actor, long id) {
        MedicationOrder order = read(actor, id);
        return new VersionLog.Dated<>(order, versions.recordedAt("medication_order", order.id(), order.version()));
    }

    private String checkAllergies(Actor actor, long patientId, String drug, String atcCode, String overrideReason) {
        List<Allergy> conflicts = AllergyMatcher.conflicts(allergies.activeForPrescribing(actor, patientId), drug, atcCode);
        if (conflicts.isEmpty()) {
            return null;
        }
        String override = Texts.clean(overrideReason);
        if (override == null) {
            throw new ConflictException("allergy-conflict", "The patient has a recorded allergy to " + conflicts.stream()
                    .map(a -> a.substance() + " (" + a.severity() + (a.reaction() == null ? "" : ", " + a.reaction()) + ")")
                    .reduce((a, b) -> a + ", " + b).orElse("") + "; choose another drug or give an allergyOverrideReason",
                    Map.of("allergies", conflicts));
        }
        return override;
    }

    private MedicationOrder close(Actor actor, long orderId, int expectedVersion, MedicationOrder.Status status, String reason,
                                  AuditAction action) {
        Active active = active(actor, orderId, action, status, null);
        MedicationOrder o = active.order();
        Instant now = clock.instant();
        LocalDate today = LocalDate.now(clock);
        if (!orders.changeStatus(active.access(), orderId, expectedVersion, status, reason, today.isBefore(o.startDate()) ? o.startDate() : today,
                now)) {
            throw ConflictException.stale(orderId, expectedVersion, o.version());
        }
        // the free-text reason is sealed in the order (and its snapshot), never written in the version's clear reason (V65)
        return logged(active.access(), orderId, status.name().toLowerCase(), now);
    }

    /** An active order as read under the proof of the decision to change it. */
    private record Active(PatientAccess access, MedicationOrder order) {
    }

    /** An active order, the change to {@code to} decided and audited as {@code action}, with its versions before and after. */
    private Active active(Actor actor, long orderId, AuditAction action, MedicationOrder.Status to, String note) {
        requireReader(actor);
        Located located = located(orderId);
        PatientAccess access = gateway.write(actor, located.patientId(), Section.PRESCRIPTIONS, action, AuditResource.MedicationOrder, orderId,
                located.changeTo(to + (note == null ? "" : ": " + note)));
        MedicationOrder o = orders.find(access, orderId).orElseThrow(() -> notFound(orderId));
        if (o.status() != MedicationOrder.Status.ACTIVE) {
            throw new ConflictException("prescription-closed", "Prescription " + orderId + " is " + o.status() + "; prescribe anew instead");
        }
        return new Active(access, o);
    }

    private MedicationOrder logged(PatientAccess access, long id, String reason, Instant now) {
        MedicationOrder o = orders.find(access, id).orElseThrow();
        versions.record("medication_order", id, o.version(), o.facilityId(), o.patientId(), access.actor().staffId(), reason, o, now);
        return o;
    }

    private void validate(OrderInput in) {
        List<FieldError> errors = new ArrayList<>();
        if (in == null) {
            throw new InvalidInputException("order", "is required");
        }
        if (Texts.isBlank(in.drug()) || in.drug().length() > 200) {
            errors.add(new FieldError("drug", "is required (at most 200 characters)"));
        }
        if (in.atcCode() != null && !in.atcCode().isBlank() && !ATC.matcher(in.atcCode().strip().toUpperCase()).matches()) {
            errors.add(new FieldError("atcCode", "must be an ATC code such as J01CA04"));
        }
        if (in.cip13() != null && !in.cip13().isBlank() && !in.cip13().strip().matches("34009\\d{8}")) {
            errors.add(new FieldError("cip13", "must be a 13-digit CIP code starting with 34009"));
        }
        if (Texts.isBlank(in.dose()) || in.dose().length() > 100) {
            errors.add(new FieldError("dose", "is required, e.g. '1 g' or '500 mg' (at most 100 characters)"));
        }
        if (in.route() == null || !ROUTES.contains(in.route().strip().toUpperCase())) {
            errors.add(new FieldError("route", "must be one of " + ROUTES));
        }
        if (Texts.isBlank(in.frequency()) || in.frequency().length() > 100) {
            errors.add(new FieldError("frequency", "is required, e.g. '3 times a day' (at most 100 characters)"));
        }
        if (in.durationDays() != null && (in.durationDays() < 1 || in.durationDays() > 365)) {
            errors.add(new FieldError("durationDays", "must be between 1 and 365"));
        }
        if (in.startDate() != null && in.startDate().isBefore(LocalDate.now(clock).minusDays(1))) {
            errors.add(new FieldError("startDate", "is in the past; a prescription starts today or later"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    private static String upper(String s) {
        return Texts.isBlank(s) ? null : s.strip().toUpperCase();
    }

    private static void requireReader(Actor actor) {
        actor.requireAnyRole("see prescriptions", Role.PHYSICIAN, Role.NURSE);
    }

}
