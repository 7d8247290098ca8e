package org.dossier.clinical;

import org.dossier.platform.Imported;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A problem or diagnosis, coded in ICD-10 ({@code icd10Code}); history imported from another system may be coded
 * in SNOMED CT instead, which {@code codeSystem} says, and keeps what the source said of it in {@code source} (every coding,
 * categories, clinical and verification status as sent, onset, abatement, recorded date, recorder).
 */
public record Problem(long id, int facilityId, long patientId, String icd10Code, String label, LocalDate onsetDate, Status status,
                      long recordedBy, int version, Instant updatedAt, String codeSystem, Imported source) implements ChartRecord {

    /** A problem recorded here. */
    public Problem(long id, int facilityId, long patientId, String icd10Code, String label, LocalDate onsetDate, Status status,
                   long recordedBy, int version, Instant updatedAt, String codeSystem) {
        this(id, facilityId, patientId, icd10Code, label, onsetDate, status, recordedBy, version, updatedAt, codeSystem, null);
    }

    public static final String ICD10 = "ICD-10", SNOMED_CT = "SNOMED-CT";

    public Problem {
        codeSystem = codeSystem == null ? ICD10 : codeSystem;
    }

    public enum Status { ACTIVE, RESOLVED, ENTERED_IN_ERROR }
}
