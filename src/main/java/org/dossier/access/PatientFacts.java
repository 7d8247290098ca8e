package org.dossier.access;

import org.dossier.platform.ConflictException;

import java.time.LocalDate;
import java.util.Map;

/** What the gateway must know of a patient to decide: which facility holds the record, and whether it is still active. */
public record PatientFacts(long id, int facilityId, boolean merged, Long mergedInto, LocalDate birthDate) {

    /** Refuses (409) to attach anything new to a merged record. */
    public PatientFacts requireActive() {
        if (merged) {
            throw new ConflictException("patient-merged", "Patient " + id + " was merged into " + mergedInto
                    + "; record this on that patient", Map.of("mergedInto", mergedInto));
        }
        return this;
    }
}
