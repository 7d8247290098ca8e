package org.dossier.access;

import java.util.Optional;

/** Implemented by the patient module: the facts of one patient, without any of the record. */
public interface PatientDirectory {

    Optional<PatientFacts> facts(long patientId);

    /**
     * A patient's key was shredded (ADR 0047): what still finds them — the blind-index tokens of their names, birth date and
     * identifiers (ADR 0046) — is forgotten too, so that a search can no longer confirm a guess about them.
     */
    void erased(PatientFacts patient);
}
