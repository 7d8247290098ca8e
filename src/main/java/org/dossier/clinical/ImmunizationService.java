package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.PatientFacts;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.Imported;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Vaccines given, from another system's history: recorded as sent, versioned, read through the gateway. */
@Service
public class ImmunizationService {

    /** FHIR's immunization statuses, kept as sent. */
    public static final Set<String> STATUSES = Set.of("completed", "entered-in-error", "not-done");

    private final InterventionRepository repository;
    private final ClinicalAccess access;
    private final VersionLog versions;
    private final Clock clock;

    ImmunizationService(InterventionRepository repository, ClinicalAccess access, @Qualifier("clinicalVersions") VersionLog clinicalVersions,
                        Clock clock) {
        this.repository = repository;
        this.access = access;
        this.versions = clinicalVersions;
        this.clock = clock;
    }

    /** A vaccination as the source coded it: the first coding's system and code (CVX), the text shown, status, when given. */
    public record ImmunizationInput(String codeSystem, String code, String label, String status, Instant occurredAt) {
    }

    /** An immunization from another system's history, with what the source said of it (kept and served as sent). */
    @Transactional
    public Immunization recordImported(Actor actor, long patientId, ImmunizationInput in, Imported source) {
        PatientFacts patient = access.forWriting(actor, patientId, AuditResource.Immunization, Role.PHYSICIAN, Role.NURSE);
        Interventions.validate(in.codeSystem(), in.code(), in.label(), in.status(), STATUSES);
        Instant now = clock.instant();
        long id = repository.insertImmunization(patient.facilityId(), patient.id(), in.codeSystem(), in.code(), in.label().strip(),
                in.status(), in.occurredAt(), actor.staffId(), now, source);
        Immunization i = repository.immunization(id).orElseThrow();
        versions.record("immunization", id, i.version(), i.facilityId(), i.patientId(), actor.staffId(), "recorded", i, now);
        return i;
    }

    public Immunization read(Actor actor, long immunizationId) {
        Immunization i = repository.immunization(immunizationId).orElseThrow(() -> new NotFoundException("No immunization " + immunizationId));
        return access.visible(actor, i.patientId(), i, AuditResource.Immunization, immunizationId);
    }

    /** One immunization with the time its current version was recorded (a read's Last-Modified): one gateway decision. */
    public VersionLog.Dated<Immunization> readDated(Actor actor, long immunizationId) {
        Immunization i = read(actor, immunizationId);
        return new VersionLog.Dated<>(i, versions.recordedAt("immunization", i.id(), i.version()));
    }

    /** The patient's immunizations, newest first (at most 500). */
    public List<Immunization> ofPatient(Actor actor, long patientId) {
        return ofPatient(access.forReading(actor, patientId, AuditResource.Immunization));
    }

    /** Under an access already granted and audited (the chart). */
    public List<Immunization> ofPatient(PatientAccess granted) {
        return org.dossier.platform.RecordLimits.whole(repository.immunizations(granted.require(Section.CLINICAL).patientId(),
                org.dossier.platform.RecordLimits.fetch()), "immunizations");
    }

    public List<VersionLog.Version<Immunization>> history(Actor actor, long immunizationId) {
        read(actor, immunizationId);
        return versions.history("immunization", immunizationId, Immunization.class);
    }
}
