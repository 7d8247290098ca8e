package org.dossier.platform;

import java.util.List;

/**
 * How many records of one kind a patient's list may hold when it is answered whole (a FHIR search, a chart section,
 * {@code $everything}). A list is never cut silently: a client that receives a page believes it has the patient's
 * allergies, orders or encounters, and a missing stopped order or a missing allergy is a clinical error. Above the
 * bound the answer is a refusal naming the bound; Synthea's twenty-year histories stay well below it (at most 1,418
 * procedures, 927 prescriptions, 732 encounters for one patient in a 68-patient set).
 */
public final class RecordLimits {

    /** Records of one kind for one patient, answered whole. */
    public static final int PER_PATIENT = 5_000;

    private RecordLimits() {
    }

    /** The SQL {@code limit} to ask for: one more than the bound, so that going over it is seen. */
    public static int fetch() {
        return PER_PATIENT + 1;
    }

    /**
     * The records found, or a refusal if there were more than the bound ({@code what} names them, e.g.
     * "procedures"), so that no list is ever taken for complete when it is not.
     */
    public static <T> List<T> whole(List<T> found, String what) {
        if (found.size() > PER_PATIENT) {
            throw new InvalidInputException("patient", "this patient has more than " + PER_PATIENT + " " + what
                    + ": too many to answer at once; narrow the search by date where it takes one, or ask for an export");
        }
        return found;
    }
}
