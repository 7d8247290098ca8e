package org.dossier.access;

import java.util.Optional;

/** Implemented by the patient module: the facts of one patient, without any of the record. */
public interface PatientDirectory {

    Optional<PatientFacts> facts(long patientId);

}
