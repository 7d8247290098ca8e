package org.dossier.clinical;

import java.time.Instant;

/** An allergy or intolerance to a substance, with the reaction it causes. */
public record Allergy(long id, int facilityId, long patientId, String substance, String substanceCode, String reaction,
                      Severity severity, Kind kind, Status status, long recordedBy, int version, Instant updatedAt) {

    public enum Severity { MILD, MODERATE, SEVERE }

    public enum Kind { ALLERGY, INTOLERANCE }

    public enum Status { ACTIVE, INACTIVE, RESOLVED, ENTERED_IN_ERROR }
}
