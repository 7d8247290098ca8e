package org.dossier.patient;

import java.time.Instant;

/** A patient record of one facility, in its current version. */
public record Patient(long id, int facilityId, String ipp, int version, PatientStatus status, Long mergedInto,
                      PatientData data, Instant createdAt, Instant updatedAt) {
}
