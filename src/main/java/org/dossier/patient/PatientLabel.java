package org.dossier.patient;

import java.time.LocalDate;

/** How a work list names a patient: enough to recognise the person, nothing of the record. */
public record PatientLabel(long id, String ipp, String familyName, String givenNames, LocalDate birthDate, Sex sex) {
}
