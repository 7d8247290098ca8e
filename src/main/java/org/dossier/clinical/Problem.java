package org.dossier.clinical;

import java.time.Instant;
import java.time.LocalDate;

/** A problem or diagnosis, coded in ICD-10. */
public record Problem(long id, int facilityId, long patientId, String icd10Code, String label, LocalDate onsetDate, Status status,
                      long recordedBy, int version, Instant updatedAt) {

    public enum Status { ACTIVE, RESOLVED, ENTERED_IN_ERROR }
}
