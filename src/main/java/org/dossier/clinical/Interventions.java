package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FieldError;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a procedure and an immunization share: records from another system's history, each with a code, a label and a
 * status FHIR knows, recorded as sent and read, listed and versioned through the gateway as every clinical record.
 */
abstract class Interventions<T extends ChartRecord> extends VersionedRecords<T> {

    final InterventionRepository repository;
    private final Set<String> statuses;

    Interventions(RecordKind kind, Class<T> type, Set<String> statuses, InterventionRepository repository, ClinicalAccess access,
                  RecordLocator locator, VersionLog versions, Clock clock) {
        super(kind, type, access, locator, versions, clock);
        this.repository = repository;
        this.statuses = statuses;
    }

    public T read(Actor actor, long id) {
        return one(actor, id);
    }

    /** One record with the time its current version was recorded (a read's Last-Modified): one gateway decision. */
    public VersionLog.Dated<T> readDated(Actor actor, long id) {
        return dated(actor, id);
    }

    /** The patient's records of this kind, newest first (at most 500). */
    public List<T> ofPatient(Actor actor, long patientId) {
        return ofPatient(forList(actor, patientId));
    }

    /** Under an access already granted and audited (the chart). */
    public abstract List<T> ofPatient(PatientAccess granted);

    public List<VersionLog.Version<T>> history(Actor actor, long id) {
        return versions(actor, id);
    }

    /**
     * A record from another system's history, by a physician or a nurse: checked as every intervention is, then as its
     * kind asks ({@code checks}), its row written ({@code insert}, given the label stripped) and its version logged.
     */
    T recordedImport(Actor actor, long patientId, String codeSystem, String code, String label, String status, Runnable checks,
                     Insert insert) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        validate(codeSystem, code, label, status, statuses);
        checks.run();
        Instant now = clock.instant();
        long id = insert.insert(granted, label.strip(), now);
        return logged(granted, id, "recorded", now);
    }

    /** The repository's insert of one record under the proof, returning its id. */
    @FunctionalInterface
    interface Insert {
        long insert(PatientAccess granted, String label, Instant at);
    }

    private static void validate(String codeSystem, String code, String label, String status, Set<String> statuses) {
        List<FieldError> errors = new ArrayList<>();
        if (Texts.isBlank(label) || label.length() > 300) {
            errors.add(new FieldError("code.text", "is required (at most 300 characters)"));
        }
        if (code != null && (code.isBlank() || code.length() > 100)) {
            errors.add(new FieldError("code", "at most 100 characters"));
        }
        if (codeSystem != null && codeSystem.length() > 300) {
            errors.add(new FieldError("code.system", "at most 300 characters"));
        }
        if (status == null || !statuses.contains(status)) {
            errors.add(new FieldError("status", "must be one of " + new java.util.TreeSet<>(statuses)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
