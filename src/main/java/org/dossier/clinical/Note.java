package org.dossier.clinical;

import java.time.Instant;

/**
 * A clinical note. Drafts can be edited by their author; a signed note never changes again, and is
 * corrected by an amendment, a new note pointing to it, which marks it AMENDED once signed.
 */
public record Note(long id, int facilityId, long patientId, Long stayId, Kind kind, Status status, String title, String body,
                   long authorId, Long amendsId, Instant signedAt, Long signedBy, int version, Instant createdAt) implements ChartRecord {

    public enum Kind { CONSULTATION, PROGRESS, DISCHARGE_SUMMARY }

    public enum Status { DRAFT, SIGNED, AMENDED, ENTERED_IN_ERROR }
}
