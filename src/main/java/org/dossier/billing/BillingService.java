package org.dossier.billing;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditReason;
import org.dossier.platform.FacilityScope;
import org.springframework.transaction.support.TransactionTemplate;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.access.AccessGateway;
import org.dossier.care.Appointment;
import org.dossier.care.SchedulingService;
import org.dossier.care.Stay;
import org.dossier.care.StayService;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.patient.Nir;
import org.dossier.patient.Patient;
import org.dossier.access.PatientFacts;
import org.dossier.patient.PatientService;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Invoices, health-card reads and claims. */
@Service
public class BillingService {

    private final BillingRepository repository;
    private final InsurerExchangeRepository exchange;
    private final MedicalActRepository catalogue;
    private final PatientService patients;
    private final AccessGateway gateway;
    private final TransactionTemplate transaction;
    private final StayService stays;
    private final SchedulingService scheduling;
    private final InsurerGateway insurer;
    private final VersionLog versions;
    private final Clock clock;

    BillingService(BillingRepository repository, InsurerExchangeRepository exchange, MedicalActRepository catalogue, PatientService patients, AccessGateway gateway, TransactionTemplate transaction, StayService stays, SchedulingService scheduling,
                   InsurerGateway insurer, @Qualifier("billingVersions") VersionLog billingVersions, Clock clock) {
        this.repository = repository;
        this.exchange = exchange;
        this.catalogue = catalogue;
        this.patients = patients;
        this.gateway = gateway;
        this.transaction = transaction;
        this.stays = stays;
        this.scheduling = scheduling;
        this.insurer = insurer;
        this.versions = billingVersions;
        this.clock = clock;
    }

    /** What the card reader returned. */
    public record CardReadInput(String workstation, String cardHolderName, String cardHolderNir, String beneficiaryName,
                                Integer beneficiaryRank, HealthCardRead.Rights rights, Instant readAt) {
    }

    public List<MedicalAct> acts(String query) {
        return catalogue.acts(query, 50);
    }

    @Transactional
    public Invoice openInvoice(Actor actor, long patientId, Long stayId, Long appointmentId) {
        actor.requireAnyRole("create invoices", Role.BILLING);
        PatientAccess access = gateway.write(actor, patientId, Section.BILLING, AuditAction.CREATE, AuditResource.Invoice, null);
        PatientFacts patient = access.patient().requireActive();
        if ((stayId == null) == (appointmentId == null)) {
            throw new InvalidInputException("stayId", "an invoice is for exactly one stay (stayId) or one appointment (appointmentId)");
        }
        if (stayId != null) {
            Stay stay = stays.read(actor, stayId);
            if (stay.patientId() != patient.id()) {
                throw new InvalidInputException("stayId", "stay " + stayId + " is not a stay of this patient");
            }
        } else {
            Appointment a = scheduling.read(actor, appointmentId);
            if (a.patientId() != patient.id()) {
                throw new InvalidInputException("appointmentId", "appointment " + appointmentId + " is not this patient's");
            }
        }
        Instant now = clock.instant();
        return logged(access, repository.insertInvoice(access, stayId, appointmentId, actor.staffId(), now), "opened", now);
    }

    @Transactional
    public Invoice addLine(Actor actor, long invoiceId, int expectedVersion, String actCode, Integer quantity) {
        actor.requireAnyRole("change invoices", Role.BILLING);
        Held held = draft(actor, invoiceId);
        int q = quantity == null ? 1 : quantity;
        List<FieldError> errors = new ArrayList<>();
        MedicalAct act = actCode == null ? null : catalogue.act(actCode.strip().toUpperCase()).orElse(null);
        if (act == null) {
            errors.add(new FieldError("actCode", "is not an act of the catalogue (GET /api/acts)"));
        }
        if (q < 1 || q > 100) {
            errors.add(new FieldError("quantity", "must be between 1 and 100"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Instant now = clock.instant();
        repository.insertLine(held.access(), invoiceId, act, q);
        if (!repository.touchDraft(held.access(), invoiceId, expectedVersion, now)) {
            throw ConflictException.stale(invoiceId, expectedVersion, held.invoice().version());
        }
        return logged(held.access(), invoiceId, "line added: " + act.code() + " x" + q, now);
    }

    @Transactional
    public Invoice issue(Actor actor, long invoiceId, int expectedVersion) {
        actor.requireAnyRole("issue invoices", Role.BILLING);
        Held held = draft(actor, invoiceId);
        if (held.invoice().lines().isEmpty()) {
            throw new ConflictException("invoice-empty", "An invoice without lines cannot be issued");
        }
        return transition(held, expectedVersion, Invoice.Status.DRAFT, Invoice.Status.ISSUED, "issued");
    }

    @Transactional
    public Invoice markPaid(Actor actor, long invoiceId, int expectedVersion) {
        actor.requireAnyRole("record payments", Role.BILLING);
        return transition(held(actor, invoiceId), expectedVersion, Invoice.Status.ISSUED, Invoice.Status.PAID, "paid");
    }

    @Transactional
    public Invoice cancel(Actor actor, long invoiceId, int expectedVersion, String reason) {
        actor.requireAnyRole("cancel invoices", Role.BILLING);
        String why = Texts.requireReason(reason);
        Held held = held(actor, invoiceId);
        Invoice invoice = held.invoice();
        if (invoice.status() != Invoice.Status.DRAFT && invoice.status() != Invoice.Status.ISSUED) {
            throw new ConflictException("invoice-closed", "Invoice " + invoiceId + " is " + invoice.status() + "; it cannot be cancelled");
        }
        // the clerk's reason is sealed with the invoice (its status reason), not written in the version's clear reason
        return transition(held, expectedVersion, invoice.status(), Invoice.Status.CANCELLED, "cancelled: " + why, "cancelled");
    }

    public Invoice read(Actor actor, long invoiceId) {
        return held(actor, invoiceId).invoice();
    }

    /** An invoice as read under the proof of its patient, which its changes take too (an invoice's change is decided as a read). */
    private record Held(PatientAccess access, Invoice invoice) {
    }

    private Held held(Actor actor, long invoiceId) {
        requireReader(actor);
        long patientId = repository.patientOfInvoice(invoiceId).orElseThrow(() -> new NotFoundException("No invoice " + invoiceId));
        PatientAccess access = gateway.read(actor, patientId, Section.BILLING, AuditResource.Invoice, invoiceId);
        return new Held(access, repository.invoice(access, invoiceId).orElseThrow(() -> new NotFoundException("No invoice " + invoiceId)));
    }

    /** A patient's invoices: the gateway refuses (and audits, about this patient) a role that does not see billing. */
    public List<Invoice> invoicesOf(Actor actor, long patientId) {
        return repository.invoicesOf(gateway.read(actor, patientId, Section.BILLING, AuditResource.Invoice, null), 200);
    }

    /** Under an access already granted and audited (a chart tab). */
    public List<Invoice> invoicesOf(PatientAccess granted) {
        return repository.invoicesOf(granted.require(Section.BILLING), 200);
    }

    public List<VersionLog.Version<Invoice>> invoiceHistory(Actor actor, long invoiceId) {
        return versions.history("invoice", invoiceId, held(actor, invoiceId).access().patientId(), Invoice.class);
    }

    @Transactional
    public HealthCardRead recordCardRead(Actor actor, long patientId, CardReadInput in) {
        actor.requireAnyRole("read health cards", Role.FRONT_DESK, Role.BILLING);
        PatientAccess access = gateway.write(actor, patientId, Section.COVERAGE, AuditAction.CREATE, AuditResource.HealthCardRead, null);
        access.patient().requireActive();
        List<FieldError> errors = new ArrayList<>();
        if (Texts.isBlank(in.workstation()) || in.workstation().length() > 64) {
            errors.add(new FieldError("workstation", "is required (at most 64 characters)"));
        }
        if (Texts.isBlank(in.cardHolderName())) {
            errors.add(new FieldError("cardHolderName", "is required"));
        }
        if (!Nir.isValid(in.cardHolderNir())) {
            errors.add(new FieldError("cardHolderNir", "is not a valid NIR"));
        }
        if (Texts.isBlank(in.beneficiaryName())) {
            errors.add(new FieldError("beneficiaryName", "is required"));
        }
        int rank = in.beneficiaryRank() == null ? 1 : in.beneficiaryRank();
        if (rank < 1 || rank > 20) {
            errors.add(new FieldError("beneficiaryRank", "must be between 1 and 20"));
        }
        HealthCardRead.Rights r = in.rights();
        if (r == null || r.amoScheme() == null || !r.amoScheme().matches("\\d{2}") || r.amoFund() == null || !r.amoFund().matches("\\d{3}")) {
            errors.add(new FieldError("rights", "the rights read from the card need the 2-digit scheme and 3-digit fund"));
        } else if (r.validFrom() != null && r.validTo() != null && r.validTo().isBefore(r.validFrom())) {
            errors.add(new FieldError("rights.validTo", "is before validFrom"));
        }
        Instant now = clock.instant();
        Instant readAt = in.readAt() == null ? now : in.readAt();
        if (readAt.isAfter(now.plus(Duration.ofMinutes(5)))) {
            errors.add(new FieldError("readAt", "is in the future"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        long id = repository.insertCardRead(access, readAt, in.workstation().strip(), in.cardHolderName().strip(),
                in.cardHolderNir(), in.beneficiaryName().strip(), rank, r, actor.staffId());
        HealthCardRead read = repository.cardRead(access, id).orElseThrow();
        versions.record("health_card_read", id, 1, read.facilityId(), read.patientId(), actor.staffId(), "card read at " + read.workstation(),
                read, now);
        return read;
    }

    public List<HealthCardRead> cardReadsOf(Actor actor, long patientId) {
        actor.requireAnyRole("see health-card reads", Role.FRONT_DESK, Role.BILLING);
        return repository.cardReadsOf(gateway.read(actor, patientId, Section.COVERAGE, AuditResource.HealthCardRead, null), 200);
    }

    /** Under an access already granted and audited (a chart tab). */
    public List<HealthCardRead> cardReadsOf(PatientAccess granted) {
        granted.actor().requireAnyRole("see health-card reads", Role.FRONT_DESK, Role.BILLING);
        return repository.cardReadsOf(granted.require(Section.COVERAGE), 200);
    }

    /** Prepares the claim of an issued invoice, for the beneficiary's NIR on the patient's coverage. */
    @Transactional
    public Claim createClaim(Actor actor, long invoiceId) {
        actor.requireAnyRole("prepare claims", Role.BILLING);
        Held held = held(actor, invoiceId);
        Invoice invoice = held.invoice();
        if (invoice.status() != Invoice.Status.ISSUED && invoice.status() != Invoice.Status.PAID) {
            throw new ConflictException("invoice-not-issued", "Only an issued invoice is claimed");
        }
        if (repository.claimsOfInvoice(held.access(), invoiceId).stream().anyMatch(c -> c.status() != Claim.Status.REJECTED)) {
            throw new ConflictException("claim-exists", "This invoice already has a claim in progress or accepted");
        }
        Patient patient = patients.read(actor, invoice.patientId());
        if (patient.data().coverage() == null) {
            throw new ConflictException("no-coverage", "The patient has no coverage on record; read the health card first");
        }
        Instant now = clock.instant();
        long id = repository.insertClaim(held.access(), invoiceId, invoice.totalCents(), patient.data().coverage().nir(), now);
        return loggedClaim(actor.staffId(), repository.claim(held.access(), id).orElseThrow(), "prepared", now);
    }

    @Transactional
    public Claim send(Actor actor, long claimId, int expectedVersion) {
        actor.requireAnyRole("send claims", Role.BILLING);
        PatientAccess access = claimAccess(actor, claimId);
        Claim claim = repository.claim(access, claimId).orElseThrow(() -> new NotFoundException("No claim " + claimId));
        if (claim.status() != Claim.Status.TO_SEND) {
            throw new ConflictException("claim-sent", "Claim " + claimId + " is already " + claim.status());
        }
        Instant now = clock.instant();
        String lot = insurer.submit(claim);
        if (!repository.markSent(access, claimId, expectedVersion, lot, now)) {
            throw ConflictException.stale(claimId, expectedVersion, claim.version());
        }
        return loggedClaim(actor.staffId(), repository.claim(access, claimId).orElseThrow(), "sent in " + lot, now);
    }

    /**
     * Collects the insurer's answers to sent claims; run on a schedule, as the server itself over every facility
     * (no patient data leaves: only claim statuses change). Returns how many claims were answered.
     */
    public int collectAnswers() {
        return FacilityScope.asSystem(() -> transaction.execute(tx -> collectAnswersNow()));
    }

    private int collectAnswersNow() {
        int answered = 0;
        for (Claim c : exchange.sentClaims(500)) {
            InsurerGateway.Answer a = insurer.answer(c);
            if (a != null && exchange.markAnswered(c, a.accepted(), a.rejectionReason(), clock.instant())) {
                // the insurer's reason may name the care: it is in the sealed claim and snapshot, not in the version's reason
                loggedClaim(null, exchange.answeredClaim(c.id()).orElseThrow(), a.accepted() ? "accepted by the insurer" : "rejected by the insurer",
                        clock.instant());
                answered++;
            }
        }
        return answered;
    }

    public Claim readClaim(Actor actor, long claimId) {
        return repository.claim(claimAccess(actor, claimId), claimId).orElseThrow(() -> new NotFoundException("No claim " + claimId));
    }

    /** The decision to read one claim (which its sending takes too), taken on whose claim it is. */
    private PatientAccess claimAccess(Actor actor, long claimId) {
        actor.requireAnyRole("see claims", Role.BILLING);
        long patientId = repository.patientOfClaim(claimId).orElseThrow(() -> new NotFoundException("No claim " + claimId));
        return gateway.read(actor, patientId, Section.BILLING, AuditResource.Claim, claimId);
    }

    /** The claims of the actor's facilities in one status, oldest first (at most 100): the billing clerk's work list. */
    public List<Claim> claims(Actor actor, Claim.Status status) {
        actor.requireAnyRole("see claims", Role.BILLING);
        List<Claim> claims = repository.claimsByStatus(gateway.permitList(actor, AuditResource.Claim), status == null ? Claim.Status.TO_SEND : status,
                100);
        // The queue (claims to send or rejected) names its beneficiaries; older claims are listed anonymously.
        org.dossier.access.Listing named = gateway.listedWithinWork(actor, AuditResource.Claim, Section.BILLING, claims.stream()
                .map(c -> new AccessGateway.Listed(c.patientId(), c.facilityId(), AuditReason.BILLING_OFFICE)).toList());
        return claims.stream().map(c -> named.patientIds().contains(c.patientId()) ? c : c.withoutPatient()).toList();
    }

    private Held draft(Actor actor, long invoiceId) {
        Held held = held(actor, invoiceId);
        if (held.invoice().status() != Invoice.Status.DRAFT) {
            throw new ConflictException("invoice-issued", "Invoice " + invoiceId + " is " + held.invoice().status() + "; its lines no longer change");
        }
        return held;
    }

    private Invoice transition(Held held, int expectedVersion, Invoice.Status from, Invoice.Status to, String reason) {
        return transition(held, expectedVersion, from, to, reason, reason);
    }

    /** Moves the invoice on, with its (sealed) status reason, and records the version with {@code logReason}. */
    private Invoice transition(Held held, int expectedVersion, Invoice.Status from, Invoice.Status to, String statusReason,
                               String logReason) {
        Invoice invoice = held.invoice();
        if (invoice.status() != from) {
            throw new ConflictException("invoice-status", "Invoice " + invoice.id() + " is " + invoice.status() + ", not " + from);
        }
        Instant now = clock.instant();
        if (!repository.changeInvoiceStatus(held.access(), invoice.id(), expectedVersion, from, to, statusReason, now)) {
            throw ConflictException.stale(invoice.id(), expectedVersion, invoice.version());
        }
        return logged(held.access(), invoice.id(), logReason, now);
    }

    private Invoice logged(PatientAccess access, long id, String reason, Instant now) {
        Invoice i = repository.invoice(access, id).orElseThrow();
        versions.record("invoice", id, i.version(), i.facilityId(), i.patientId(), access.actor().staffId(), reason, i, now);
        return i;
    }

    private Claim loggedClaim(Long authorId, Claim c, String reason, Instant now) {
        versions.record("claim", c.id(), c.version(), c.facilityId(), c.patientId(), authorId, reason, c, now);
        return c;
    }

    private static void requireReader(Actor actor) {
        actor.requireAnyRole("see invoices", Role.BILLING);
    }

}
