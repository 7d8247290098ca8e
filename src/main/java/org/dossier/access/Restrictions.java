package org.dossier.access;

import org.dossier.audit.AuditPurpose;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditReports;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Restricted records, set and lifted by the security officer (who sees no clinical data), and the patient's
 * own access report, handed over by the front desk.
 */
@Service
public class Restrictions {

    private final AccessGateway gateway;
    private final PatientDirectory directory;
    private final AccessRepository repository;
    private final AuditReports reports;
    private final Clock clock;

    Restrictions(AccessGateway gateway, PatientDirectory directory, AccessRepository repository, AuditReports reports, Clock clock) {
        this.gateway = gateway;
        this.directory = directory;
        this.repository = repository;
        this.reports = reports;
        this.clock = clock;
    }

    @Transactional
    public Restriction restrict(Actor actor, long patientId, Restriction.Kind kind, Long staffId, String reason) {
        PatientFacts patient = administered(actor, patientId);
        String why = Texts.requireReason(reason);
        if (kind == null) {
            throw new InvalidInputException("kind", "is required: STAFF (the patient works here) or REQUESTED (the patient asked)");
        }
        if (kind == Restriction.Kind.STAFF && staffId == null) {
            throw new InvalidInputException("staffId", "name the patient's own staff account, so that it never opens this record");
        }
        Instant now = clock.instant();
        actor.requireFreshSecondFactor(now);
        if (repository.restriction(patientId).isPresent()) {
            throw new ConflictException("already-restricted", "Patient " + patientId + " is already restricted; lift it first to change it");
        }
        long id = repository.insertRestriction(patientId, patient.facilityId(), kind, kind == Restriction.Kind.STAFF ? staffId : null, why,
                actor.staffId(), now);
        // The entry names the restriction, never its reason: the trail is not sealed, the row is (ADR 0055).
        gateway.append(gateway.entry(actor).facility(patient.facilityId()).action(AuditAction.RESTRICT).patient(patientId)
                .resource(AuditResource.Restriction, Long.toString(id)).decision(AuditRecord.Decision.INFO, null)
                .detail(kind + ", restriction " + id).build());
        return repository.restriction(patientId).orElseThrow();
    }

    @Transactional
    public void lift(Actor actor, long patientId, String reason) {
        PatientFacts patient = administered(actor, patientId);
        String why = Texts.requireReason(reason);
        Instant now = clock.instant();
        actor.requireFreshSecondFactor(now);
        // read first: the lift's reason is sealed to the restriction's row
        Restriction restriction = repository.restriction(patientId).orElse(null);
        if (restriction == null || !repository.liftRestriction(restriction, actor.staffId(), why, now)) {
            throw new NotFoundException("Patient " + patientId + " has no restriction");
        }
        gateway.append(gateway.entry(actor).facility(patient.facilityId()).action(AuditAction.LIFT_RESTRICTION).patient(patientId)
                .resource(AuditResource.Restriction, Long.toString(restriction.id())).decision(AuditRecord.Decision.INFO, null)
                .detail("restriction " + restriction.id() + " lifted").build());
    }

    public Optional<Restriction> restriction(Actor actor, long patientId) {
        PatientFacts patient = administered(actor, patientId);
        Optional<Restriction> restriction = repository.restriction(patientId);
        // The answer names the patient (a restricted record, and why): in the trail before it leaves.
        gateway.append(gateway.entry(actor).facility(patient.facilityId()).action(AuditAction.READ).patient(patientId)
                .resource(AuditResource.Restriction, null).decision(AuditRecord.Decision.ALLOW, AuditReason.OVERSIGHT)
                .purpose(AuditPurpose.HSYSADMIN).build());
        return restriction;
    }

    /** What the patient is told of who opened their record: when, why and what, by which kind of staff. */
    public List<AuditReports.AccessForPatient> accessReportForThePatient(Actor actor, long patientId) {
        gateway.read(actor, patientId, Section.IDENTITY, AuditResource.AccessReport, patientId);
        return reports.accessesToTellThePatient(patientId);
    }

    private PatientFacts administered(Actor actor, long patientId) {
        actor.requireAnyRole("restrict records", Role.SECURITY_OFFICER);
        return directory.facts(patientId).filter(p -> actor.worksIn(p.facilityId()))
                .orElseThrow(() -> new NotFoundException("No patient " + patientId));
    }
}
