package org.dossier.patient;

import java.time.LocalDate;

/** What other modules need to attach records to a patient: identity of the row, its facility, and whether it is active. */
public record PatientRef(long id, int facilityId, PatientStatus status, Long mergedInto, LocalDate birthDate) {
}
