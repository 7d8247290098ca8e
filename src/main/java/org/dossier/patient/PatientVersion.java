package org.dossier.patient;

import java.time.Instant;

/** One recorded version of a patient: the whole record as it became, who changed it, when and why. */
public record PatientVersion(long patientId, int version, Instant recordedAt, Long authorId, String reason,
                             PatientStatus status, Long mergedInto, PatientData data) {
}
