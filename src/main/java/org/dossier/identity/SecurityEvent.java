package org.dossier.identity;

import java.time.Instant;

/**
 * Something that happened to an account's security: published for the audit trail and the exfiltration
 * guard. {@code staffId} is null when the username is unknown.
 */
public record SecurityEvent(Type type, Long staffId, String username, Instant at, String sourceAddress, String userAgent,
                            String detail) {

    public enum Type {
        LOGIN_SUCCEEDED, LOGIN_FAILED, LOGIN_THROTTLED, MFA_SUCCEEDED, MFA_FAILED, FACTOR_ENROLLED, RECOVERY_CODE_USED,
        RECOVERY_CODES_REGENERATED, PASSWORD_CHANGED, ENROLMENT_LINK_ISSUED, TOKEN_ISSUED, TOKEN_REVOKED, SESSION_REVOKED,
        ALL_SESSIONS_REVOKED, STEP_UP_SUCCEEDED, STEP_UP_FAILED, LOGOUT,
        /** Five wrong second-factor codes in a row: the second factor is locked for a while (the guard alerts). */
        SECOND_FACTOR_LOCKED,
        /** Twenty wrong second-factor codes in a day: the account is frozen (the guard alerts). */
        SECOND_FACTOR_FROZEN,
        /** A second factor was to be added or replaced without a fresh one in a browser session: refused. */
        FACTOR_CHANGE_REFUSED,
        /** A SMART app registered, or disabled, by an administrator (ADR 0028). */
        SMART_APP_REGISTERED, SMART_APP_DISABLED,
        /** A person authorized a SMART app (consent given; the scopes and launch patient in the detail). */
        SMART_APP_AUTHORIZED
    }
}
