package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.Imported;
import org.dossier.platform.RecordLimits;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Procedures from another system's history (surgery, screening, counselling…): recorded as sent, versioned, read
 * through the gateway. Dossier does not record procedures of its own yet: acts done here are billing's.
 */
@Service
public class ProcedureService extends VersionedRecords<Procedure> {

    /** FHIR's procedure statuses, kept as sent. */
    public static final Set<String> STATUSES = Set.of("preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
            "entered-in-error", "unknown");

    private final InterventionRepository repository;

    ProcedureService(InterventionRepository repository, ClinicalAccess access, RecordLocator locator,
                     @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.PROCEDURE, Procedure.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
    }

    /** A procedure as the source coded it: the first coding's system and code, the text shown, status, when performed. */
    public record ProcedureInput(String codeSystem, String code, String label, String status, Instant performedStart, Instant performedEnd) {
    }

    /** A procedure from another system's history, with what the source said of it (kept and served as sent). */
    @Transactional
    public Procedure recordImported(Actor actor, long patientId, ProcedureInput in, Imported source) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        Interventions.validate(in.codeSystem(), in.code(), in.label(), in.status(), STATUSES);
        if (in.performedStart() != null && in.performedEnd() != null && in.performedEnd().isBefore(in.performedStart())) {
            throw new org.dossier.platform.InvalidInputException("performedPeriod", "ends before it starts");
        }
        Instant now = clock.instant();
        long id = repository.insertProcedure(granted, in.codeSystem(), in.code(), in.label().strip(), in.status(), in.performedStart(),
                in.performedEnd(), now, source);
        return logged(granted, id, "recorded", now);
    }

    public Procedure read(Actor actor, long procedureId) {
        return one(actor, procedureId);
    }

    /** One procedure with the time its current version was recorded (a read's Last-Modified): one gateway decision. */
    public VersionLog.Dated<Procedure> readDated(Actor actor, long procedureId) {
        return dated(actor, procedureId);
    }

    /** The patient's procedures, newest first (at most 500). */
    public List<Procedure> ofPatient(Actor actor, long patientId) {
        return ofPatient(forList(actor, patientId));
    }

    /** Under an access already granted and audited (the chart). */
    public List<Procedure> ofPatient(PatientAccess granted) {
        return RecordLimits.whole(repository.procedures(granted.require(Section.CLINICAL), RecordLimits.fetch()), "procedures");
    }

    public List<VersionLog.Version<Procedure>> history(Actor actor, long procedureId) {
        return versions(actor, procedureId);
    }

    @Override
    Optional<Procedure> find(PatientAccess granted, long id) {
        return repository.procedure(granted, id);
    }
}
