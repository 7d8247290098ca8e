package org.dossier.access;

import java.time.Instant;

/**
 * A patient whose record is opened only by those who care for them directly (attending, unit, care team)
 * or by breaking the glass, and who is left out of searches by name: a colleague who is also a patient,
 * or a patient who asked for it.
 */
public record Restriction(long id, long patientId, int facilityId, Kind kind, Long staffId, String reason, long createdBy,
                          Instant createdAt) {

    public enum Kind {
        /** The patient works here; {@code staffId} is their account, which never opens their own record. */
        STAFF,
        /** The patient asked that their stay be kept confidential. */
        REQUESTED
    }
}
