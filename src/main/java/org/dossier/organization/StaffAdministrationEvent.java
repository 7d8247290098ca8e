package org.dossier.organization;

import java.time.Instant;

/**
 * Something an administrator did, or tried, to an account: published for the audit trail (every grant request,
 * approval, rejection and refused attempt is in it) and for the exfiltration guard (the security officer is alerted
 * on each grant request). {@code staffId} is null for an account not created yet; {@code grantId} when a grant is
 * concerned. The organization module does not know its listeners.
 */
public record StaffAdministrationEvent(Type type, Actor actor, Long staffId, String username, Long grantId, String detail,
                                       Instant at) {

    public enum Type {
        /** A widening change waits for a second administrator. */
        GRANT_REQUESTED,
        /** A second administrator approved it: the change took effect. */
        GRANT_APPROVED,
        /** An administrator rejected (or withdrew) it: nothing changed. */
        GRANT_REJECTED,
        /** A change that widens nothing took effect at once (names, removals, suspension, reactivation). */
        ACCOUNT_CHANGED,
        /** An attempt refused before anything changed: one's own account, one's own request, separation of duties, a token. */
        REFUSED
    }
}
