package org.dossier.patient;

import java.time.LocalDate;

/** An existing patient who may be the person being registered, with why we think so. */
public record DuplicateCandidate(long id, String ipp, String birthFamilyName, String usedName, String givenNames,
                                 LocalDate birthDate, Sex sex, Reason reason, double score) {

    public enum Reason {
        /** Same INS: certainly the same person. */
        SAME_INS,
        /** Same birth date and similar names. */
        SIMILAR_NAME_SAME_BIRTH_DATE,
        /** Same names, birth date differing by a typo (same year, or day and month swapped). */
        SAME_NAME_CLOSE_BIRTH_DATE
    }
}
