package org.dossier.care;

import org.dossier.platform.Deferred;
import org.dossier.platform.QueryBatch;
import org.dossier.platform.RecordLimits;

import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.access.AccessGateway;
import org.dossier.access.Listing;
import org.dossier.access.SearchPermit;
import org.dossier.organization.Actor;
import org.dossier.organization.CareUnit;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.organization.UnitKind;
import org.dossier.access.PatientFacts;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Located;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Admission, transfer and discharge; where every inpatient is now. */
@Service
public class StayService {

    /** Clocks of workstations drift; an event dated slightly ahead is accepted, not one dated tomorrow. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final int MAX_CENSUS = 500;

    private final StayRepository stays;
    private final AccessGateway gateway;
    private final OrganizationService organization;
    private final EncounterHistoryService history;
    private final VersionLog versions;
    private final Clock clock;

    StayService(StayRepository stays, EncounterHistoryService history, AccessGateway gateway, OrganizationService organization,
                @Qualifier("careVersions") VersionLog careVersions, Clock clock) {
        this.stays = stays;
        this.history = history;
        this.gateway = gateway;
        this.organization = organization;
        this.versions = careVersions;
        this.clock = clock;
    }

    /** What an admission needs: the patient, where, under whom, since when and why. */
    public record Admission(Long patientId, StayKind kind, Integer unitId, String bed, Long attendingId, Instant admittedAt,
                            String reason) {
    }

    @Transactional
    public Stay admit(Actor actor, Admission a) {
        actor.requireAnyRole("admit patients", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        if (a.patientId() == null) {
            throw new InvalidInputException("patientId", "is required");
        }
        PatientAccess access = gateway.write(actor, a.patientId(), Section.ENCOUNTERS, AuditAction.CREATE, AuditResource.Stay, null, "version 1");
        PatientFacts patient = access.patient().requireActive();
        StayKind kind = a.kind() == null ? StayKind.INPATIENT : a.kind();
        CareUnit unit = bedUnit(a.unitId(), patient.facilityId(), kind);
        StaffMember attending = attending(a.attendingId(), patient.facilityId());
        Instant now = clock.instant();
        Instant admittedAt = a.admittedAt() == null ? now : a.admittedAt();
        notInFuture("admittedAt", admittedAt, now);
        String reason = Texts.clean(a.reason());
        if (reason == null) {
            throw new InvalidInputException("reason", "the reason for admission is required");
        }
        stays.lockPatient(access);
        if (stays.overlaps(access, admittedAt, null, 0)) {
            throw new ConflictException("stay-overlap", "Patient " + patient.id()
                    + " already has a stay at that time; transfer or discharge it instead of admitting again");
        }
        long id = stays.insert(access, kind, admittedAt, attending.id(), reason, now);
        stays.openMovement(access, id, unit.id(), Texts.clean(a.bed()), admittedAt);
        return logged(access, id, "admission: " + reason, now);
    }

    @Transactional
    public Stay transfer(Actor actor, long stayId, int expectedVersion, Integer unitId, String bed, Long attendingId, Instant at, String reason) {
        actor.requireAnyRole("transfer patients", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Decided<Stay> changing = activeStay(actor, stayId, AuditAction.UPDATE, "transfer");
        Stay stay = changing.record();
        CareUnit unit = bedUnit(unitId, stay.facilityId(), stay.kind());
        Instant now = clock.instant();
        Instant when = at == null ? now : at;
        notInFuture("at", when, now);
        Stay.Movement current = stay.currentMovement();
        if (current != null && when.isBefore(current.fromAt())) {
            throw new InvalidInputException("at", "is before the patient arrived in the current unit (" + current.fromAt() + ")");
        }
        String newBed = Texts.clean(bed);
        if (current != null && current.unitId() == unit.id() && java.util.Objects.equals(current.bed(), newBed)) {
            throw new InvalidInputException("unitId", "the patient is already in this unit and bed");
        }
        long newAttending = attendingId == null ? stay.attendingId() : attending(attendingId, stay.facilityId()).id();
        update(changing, expectedVersion, StayStatus.ACTIVE, null, newAttending, null, when, now);
        stays.openMovement(changing.access(), stayId, unit.id(), newBed, when);
        return logged(changing.access(), stayId, "transfer to " + unit.code() + ": " + why, now);
    }

    @Transactional
    public Stay discharge(Actor actor, long stayId, int expectedVersion, Instant at, String destination, String reason) {
        actor.requireAnyRole("discharge patients", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Decided<Stay> changing = activeStay(actor, stayId, AuditAction.STATUS, "ACTIVE -> DISCHARGED");
        Stay stay = changing.record();
        Instant now = clock.instant();
        Instant when = at == null ? now : at;
        notInFuture("at", when, now);
        Stay.Movement current = stay.currentMovement();
        if (!when.isAfter(stay.admittedAt()) || (current != null && when.isBefore(current.fromAt()))) {
            throw new InvalidInputException("at", "must be after the admission and the last transfer");
        }
        update(changing, expectedVersion, StayStatus.DISCHARGED, when, stay.attendingId(), Texts.clean(destination), when, now);
        return logged(changing.access(), stayId, "discharge: " + why, now);
    }

    /** A stay entered in error: it never happened, but its record and history stay. */
    @Transactional
    public Stay cancel(Actor actor, long stayId, int expectedVersion, String reason) {
        actor.requireAnyRole("cancel stays", Role.FRONT_DESK, Role.PHYSICIAN);
        String why = Texts.requireReason(reason);
        Decided<Stay> changing = activeStay(actor, stayId, AuditAction.ENTERED_IN_ERROR, "ACTIVE -> CANCELLED");
        Instant now = clock.instant();
        update(changing, expectedVersion, StayStatus.CANCELLED, null, changing.record().attendingId(), null, now, now);
        return logged(changing.access(), stayId, "entered in error: " + why, now);
    }

    public Stay read(Actor actor, long stayId) {
        requireReader(actor);
        return readStay(actor, stayId).record();
    }

    /** A stay and the proof it was read under: located first, then decided about, then read under the decision. */
    private Decided<Stay> readStay(Actor actor, long stayId) {
        long patientId = stays.patientOfStay(stayId).orElseThrow(() -> new NotFoundException("No stay " + stayId));
        PatientAccess access = gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.Stay, stayId);
        return new Decided<>(access, stays.find(access, stayId).orElseThrow(() -> new NotFoundException("No stay " + stayId)));
    }

    public List<Stay> ofPatient(Actor actor, long patientId) {
        requireReader(actor);
        return ofPatient(gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.Stay, null));
    }

    /** A patient's stays here and the encounters imported as history, under one decision (and one audit entry). */
    public record Encounters(List<Stay> stays, List<PastEncounter> history) {
    }

    public Encounters encounters(Actor actor, long patientId) {
        requireReader(actor);
        return encounters(gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.Encounter, null));
    }

    /** Under an access already granted and audited (a chart tab). */
    public Encounters encounters(PatientAccess granted) {
        return new Encounters(ofPatient(granted), history.ofPatient(granted));
    }

    /** The patient's stays alone, under an access already granted and audited (what an invoice can be for). */
    public List<Stay> ofPatient(PatientAccess granted) {
        return RecordLimits.whole(stays.ofPatient(granted.require(Section.ENCOUNTERS), RecordLimits.fetch()), "stays");
    }

    public java.util.Optional<Stay> current(Actor actor, long patientId) {
        requireReader(actor);
        return current(gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.Stay, null));
    }

    /** Under an access already granted and audited (the chart). */
    public java.util.Optional<Stay> current(PatientAccess granted) {
        return stays.currentOf(granted.require(Section.ENCOUNTERS));
    }

    /** {@link #current(PatientAccess)}, read with other sections in one round trip when {@code batch} runs. */
    public Deferred<java.util.Optional<Stay>> current(PatientAccess granted, QueryBatch batch) {
        return stays.currentOf(granted.require(Section.ENCOUNTERS), batch);
    }

    public List<VersionLog.Version<Stay>> history(Actor actor, long stayId) {
        requireReader(actor);
        return versions.history("stay", stayId, readStay(actor, stayId).access().patientId(), Stay.class);
    }

    /**
     * {@link #read}, with the time the record's current version was recorded (the Last-Modified of an answer showing it;
     * null when that version is not kept): one gateway decision, as a read.
     */
    public VersionLog.Dated<Stay> readDated(Actor actor, long id) {
        Stay stay = read(actor, id);
        return new VersionLog.Dated<>(stay, versions.recordedAt("stay", stay.id(), stay.version()));
    }

    /**
     * Who is in these units now (a unit census): a clinician sees the census of their own units, the front desk
     * and billing that of any unit of their facilities. Every patient listed is an audited access.
     */
    public Listing.Of<Inpatient> census(Actor actor, Set<Integer> unitIds) {
        boolean administrative = actor.hasAnyRole(Role.FRONT_DESK, Role.BILLING);
        if (!administrative && !actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE)) {
            gateway.refuseListing(actor, AuditResource.Census, "Your role cannot see unit censuses");
        }
        if (unitIds.stream().anyMatch(java.util.Objects::isNull)) {
            // An empty value in the query (?unitId=) binds to no unit at all.
            throw new InvalidInputException("unitId", "must be a unit number");
        }
        Map<Integer, Integer> facilityOfUnit = new java.util.HashMap<>();
        for (Integer u : unitIds) {
            CareUnit unit = organization.unit(u).orElseThrow(() -> new NotFoundException("No unit " + u));
            actor.requireFacility(unit.facilityId());
            if (!administrative && !actor.unitIds().contains(u)) {
                gateway.refuseListing(actor, AuditResource.Census, "You see the census of your own units only; unit " + u + " is not one of them");
            }
            facilityOfUnit.put(u, unit.facilityId());
        }
        SearchPermit permit = gateway.permitList(actor, AuditResource.Census);
        List<Inpatient> inpatients = unitIds.isEmpty() ? List.of() : stays.inUnits(permit, unitIds, MAX_CENSUS);
        AuditReason reason = administrative ? AccessGateway.administrativeReason(actor) : AuditReason.CURRENT_STAY_IN_UNIT;
        return new Listing.Of<>(inpatients, gateway.listed(actor, AuditResource.Census, Section.ENCOUNTERS, inpatients.stream()
                .map(i -> new AccessGateway.Listed(i.patientId(), facilityOfUnit.get(i.unitId()), reason)).toList()));
    }

    /** The patients the actor is the attending physician of now. */
    public Listing.Of<Inpatient> attendedBy(Actor actor) {
        requireReader(actor);
        List<Inpatient> inpatients = stays.attendedBy(gateway.permitList(actor, AuditResource.Census), MAX_CENSUS);
        return new Listing.Of<>(inpatients, gateway.listed(actor, AuditResource.Census, Section.ENCOUNTERS, inpatients.stream()
                .map(i -> new AccessGateway.Listed(i.patientId(), organization.unit(i.unitId()).map(CareUnit::facilityId).orElse(null),
                        AuditReason.ATTENDING)).toList()));
    }

    private Stay logged(PatientAccess access, long stayId, String reason, Instant now) {
        Stay stay = stays.find(access, stayId).orElseThrow();
        versions.record("stay", stayId, stay.version(), stay.facilityId(), stay.patientId(), access.actor().staffId(), reason, stay, now);
        return stay;
    }

    /** Writes the change of the stay, stale when it changed meanwhile, and closes its current movement at {@code movedAt}. */
    private void update(Decided<Stay> c, int expectedVersion, StayStatus status, Instant dischargedAt, long attendingId, String destination,
                        Instant movedAt, Instant now) {
        if (!stays.update(c.access(), c.record().id(), expectedVersion, status, dischargedAt, attendingId, destination, now)) {
            throw ConflictException.stale(c.record().id(), expectedVersion, c.record().version());
        }
        stays.closeMovement(c.access(), c.record().id(), movedAt);
    }

    /**
     * An active stay, the change decided and audited as {@code action}, with the stay's versions before and after. The
     * stay's version is not known before the decision, so the decision is taken on what the stay locates, and the
     * description of the change on the stay as the decision lets it be read.
     */
    private Decided<Stay> activeStay(Actor actor, long stayId, AuditAction action, String what) {
        Located located = Located.of(stays.locate(stayId), List.of()).orElseThrow(() -> new NotFoundException("No stay " + stayId));
        PatientAccess access = gateway.write(actor, located.patientId(), Section.ENCOUNTERS, action, AuditResource.Stay, stayId,
                located.change(what));
        Stay stay = stays.find(access, stayId).orElseThrow(() -> new NotFoundException("No stay " + stayId));
        if (stay.status() != StayStatus.ACTIVE) {
            throw new ConflictException("stay-closed", "Stay " + stayId + " is " + stay.status() + "; it can no longer change");
        }
        stays.lockPatient(access);
        return new Decided<>(access, stay);
    }
    private CareUnit bedUnit(Integer unitId, int facilityId, StayKind kind) {
        if (unitId == null) {
            throw new InvalidInputException("unitId", "is required");
        }
        CareUnit unit = organization.unit(unitId).orElseThrow(() -> new InvalidInputException("unitId", "no unit " + unitId));
        if (unit.facilityId() != facilityId) {
            throw new InvalidInputException("unitId", "unit " + unitId + " is in another facility than the patient's record");
        }
        if (unit.kind() == UnitKind.OUTPATIENT) {
            throw new InvalidInputException("unitId", unit.name() + " is an outpatient clinic: book an appointment instead");
        }
        if (kind == StayKind.EMERGENCY && unit.kind() != UnitKind.EMERGENCY) {
            throw new InvalidInputException("unitId", "an emergency visit takes place in an emergency unit");
        }
        return unit;
    }

    private StaffMember attending(Long attendingId, int facilityId) {
        StaffMember m = StaffInput.named(organization, attendingId, "attendingId", "the attending physician is required");
        if (!m.hasRole(Role.PHYSICIAN) || !m.facilityIds().contains(facilityId) || m.status() != StaffStatus.ACTIVE) {
            throw new InvalidInputException("attendingId", m.displayName() + " is not an active physician of this facility");
        }
        return m;
    }

    private static void notInFuture(String field, Instant at, Instant now) {
        if (at.isAfter(now.plus(CLOCK_SKEW))) {
            throw new InvalidInputException(field, "is in the future");
        }
    }

    private static void requireReader(Actor actor) {
        actor.requireAnyRole("see stays", Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK, Role.BILLING);
    }

}
