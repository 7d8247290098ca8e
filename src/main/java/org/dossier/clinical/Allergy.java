package org.dossier.clinical;

import org.dossier.platform.Imported;

import java.time.Instant;

/**
 * An allergy or intolerance to a substance, with the reaction it causes. One imported from another system keeps what
 * the source said of it in {@code source} (codings, categories, statuses, criticality, recorded date and recorder).
 */
public record Allergy(long id, int facilityId, long patientId, String substance, String substanceCode, String reaction,
                      Severity severity, Kind kind, Status status, long recordedBy, int version, Instant updatedAt, Imported source) implements ChartRecord {

    /** An allergy recorded here. */
    public Allergy(long id, int facilityId, long patientId, String substance, String substanceCode, String reaction, Severity severity,
                   Kind kind, Status status, long recordedBy, int version, Instant updatedAt) {
        this(id, facilityId, patientId, substance, substanceCode, reaction, severity, kind, status, recordedBy, version, updatedAt, null);
    }

    public enum Severity { MILD, MODERATE, SEVERE }

    public enum Kind { ALLERGY, INTOLERANCE }

    public enum Status { ACTIVE, INACTIVE, RESOLVED, ENTERED_IN_ERROR }
}
