package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
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
public class ProcedureService extends Interventions<Procedure> {

    /** FHIR's procedure statuses, kept as sent. */
    public static final Set<String> STATUSES = Set.of("preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
            "entered-in-error", "unknown");

    ProcedureService(InterventionRepository repository, ClinicalAccess access, RecordLocator locator,
                     @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.PROCEDURE, Procedure.class, STATUSES, repository, access, locator, clinicalVersions, clock);
    }

    /** A procedure as the source coded it: the first coding's system and code, the text shown, status, when performed. */
    public record ProcedureInput(String codeSystem, String code, String label, String status, Instant performedStart, Instant performedEnd) {
    }

    /** A procedure from another system's history, with what the source said of it (kept and served as sent). */
    @Transactional
    public Procedure recordImported(Actor actor, long patientId, ProcedureInput in, Imported source) {
        return recordedImport(actor, patientId, in.codeSystem(), in.code(), in.label(), in.status(), () -> {
            if (in.performedStart() != null && in.performedEnd() != null && in.performedEnd().isBefore(in.performedStart())) {
                throw new org.dossier.platform.InvalidInputException("performedPeriod", "ends before it starts");
            }
        }, (granted, label, now) -> repository.insertProcedure(granted, in.codeSystem(), in.code(), label, in.status(),
                in.performedStart(), in.performedEnd(), now, source));
    }

    @Override
    public List<Procedure> ofPatient(PatientAccess granted) {
        return RecordLimits.whole(repository.procedures(granted.require(Section.CLINICAL), RecordLimits.fetch()), "procedures");
    }

    @Override
    Optional<Procedure> find(PatientAccess granted, long id) {
        return repository.procedure(granted, id);
    }
}
