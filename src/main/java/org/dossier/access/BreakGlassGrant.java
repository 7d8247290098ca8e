package org.dossier.access;

import java.time.Instant;

/**
 * An emergency access to one patient by one staff member, for a bounded time, with a coded reason and a
 * justification; every use is audited under it and the security officer reviews it.
 */
public record BreakGlassGrant(long id, long staffId, String username, long patientId, int facilityId, Reason reason, String justification,
                              Instant grantedAt, Instant expiresAt, Outcome outcome, Long reviewedBy, Instant reviewedAt,
                              String reviewComment, long uses) {

    public enum Reason {
        /** The patient needs care now and no relationship is recorded yet. */
        EMERGENCY_CARE,
        /** Taking over from a colleague (on call, night shift) before the care team is updated. */
        CONTINUITY_OF_CARE,
        /** A safety concern (interaction, allergy, result) that cannot wait. */
        PATIENT_SAFETY,
        /** A colleague asked for an opinion on this patient. */
        CONSULTATION_REQUEST
    }

    public enum Outcome { JUSTIFIED, NOT_JUSTIFIED }

    BreakGlassGrant withUses(long count) {
        return new BreakGlassGrant(id, staffId, username, patientId, facilityId, reason, justification, grantedAt, expiresAt, outcome,
                reviewedBy, reviewedAt, reviewComment, count);
    }
}
