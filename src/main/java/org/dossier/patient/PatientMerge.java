package org.dossier.patient;

import java.time.Instant;

/** The merge of a duplicate into its survivor, and its undoing if it was a mistake. */
public record PatientMerge(long id, int facilityId, long survivorId, long mergedId, Instant mergedAt, long mergedBy,
                           String reason, Instant undoneAt, Long undoneBy, String undoReason) {
}
