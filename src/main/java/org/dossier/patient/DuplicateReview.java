package org.dossier.patient;

import java.time.Instant;

/**
 * A pair of records that may be one person, waiting for the front desk: raised by an import, which registers its
 * record without telling the importer that someone matched. Resolved by a merge or by "different people".
 */
public record DuplicateReview(long id, int facilityId, long patientId, long candidateId, DuplicateCandidate.Reason reason, double score,
                              String source, Instant raisedAt, PatientLabel patient, PatientLabel candidate) {

    public enum Outcome { MERGED, DIFFERENT_PEOPLE }
}
