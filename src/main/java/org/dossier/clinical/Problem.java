package org.dossier.clinical;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A problem or diagnosis, coded in ICD-10 ({@code icd10Code}); history imported from another system may be coded
 * in SNOMED CT instead, which {@code codeSystem} says.
 */
public record Problem(long id, int facilityId, long patientId, String icd10Code, String label, LocalDate onsetDate, Status status,
                      long recordedBy, int version, Instant updatedAt, String codeSystem) {

    public static final String ICD10 = "ICD-10", SNOMED_CT = "SNOMED-CT";

    public Problem {
        codeSystem = codeSystem == null ? ICD10 : codeSystem;
    }

    public enum Status { ACTIVE, RESOLVED, ENTERED_IN_ERROR }
}
