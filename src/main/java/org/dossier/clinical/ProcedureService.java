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

/**
 * Procedures from another system's history (surgery, screening, counselling…): recorded as sent, versioned, read
 * through the gateway. Dossier does not record procedures of its own yet: acts done here are billing's.
 */
@Service
public class ProcedureService {

    /** FHIR's procedure statuses, kept as sent. */
    public static final Set<String> STATUSES = Set.of("preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
            "entered-in-error", "unknown");

    private final InterventionRepository repository;
    private final ClinicalAccess access;
    private final VersionLog versions;
    private final Clock clock;

    ProcedureService(InterventionRepository repository, ClinicalAccess access, @Qualifier("clinicalVersions") VersionLog clinicalVersions,
                     Clock clock) {
        this.repository = repository;
        this.access = access;
        this.versions = clinicalVersions;
        this.clock = clock;
    }

    /** A procedure as the source coded it: the first coding's system and code, the text shown, status, when performed. */
    public record ProcedureInput(String codeSystem, String code, String label, String status, Instant performedStart, Instant performedEnd) {
    }

    /** A procedure from another system's history, with what the source said of it (kept and served as sent). */
    @Transactional
    public Procedure recordImported(Actor actor, long patientId, ProcedureInput in, Imported source) {
        PatientFacts patient = access.forWriting(actor, patientId, AuditResource.Procedure, Role.PHYSICIAN, Role.NURSE);
        Interventions.validate(in.codeSystem(), in.code(), in.label(), in.status(), STATUSES);
        if (in.performedStart() != null && in.performedEnd() != null && in.performedEnd().isBefore(in.performedStart())) {
            throw new org.dossier.platform.InvalidInputException("performedPeriod", "ends before it starts");
        }
        Instant now = clock.instant();
        long id = repository.insertProcedure(patient.facilityId(), patient.id(), in.codeSystem(), in.code(), in.label().strip(), in.status(),
                in.performedStart(), in.performedEnd(), actor.staffId(), now, source);
        Procedure p = repository.procedure(id).orElseThrow();
        versions.record("procedure", id, p.version(), p.facilityId(), p.patientId(), actor.staffId(), "recorded", p, now);
        return p;
    }

    public Procedure read(Actor actor, long procedureId) {
        Procedure p = repository.procedure(procedureId).orElseThrow(() -> new NotFoundException("No procedure " + procedureId));
        return access.visible(actor, p.patientId(), p, AuditResource.Procedure, procedureId);
    }

    /** One procedure with the time its current version was recorded (a read's Last-Modified): one gateway decision. */
    public VersionLog.Dated<Procedure> readDated(Actor actor, long procedureId) {
        Procedure p = read(actor, procedureId);
        return new VersionLog.Dated<>(p, versions.recordedAt("procedure", p.id(), p.version()));
    }

    /** The patient's procedures, newest first (at most 500). */
    public List<Procedure> ofPatient(Actor actor, long patientId) {
        return ofPatient(access.forReading(actor, patientId, AuditResource.Procedure));
    }

    /** Under an access already granted and audited (the chart). */
    public List<Procedure> ofPatient(PatientAccess granted) {
        return org.dossier.platform.RecordLimits.whole(repository.procedures(granted.require(Section.CLINICAL).patientId(),
                org.dossier.platform.RecordLimits.fetch()), "procedures");
    }

    public List<VersionLog.Version<Procedure>> history(Actor actor, long procedureId) {
        read(actor, procedureId);
        return versions.history("procedure", procedureId, Procedure.class);
    }
}
