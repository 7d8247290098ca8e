package org.dossier.guard;

/** What the guard saw: the signal of a step-up, a freeze or an alert, stored by its name (guard_alert.signal). */
public enum GuardSignal {
    /** A canary record, which no workflow leads to, was found or opened. */
    CANARY,
    /** Records asked for by walking identifiers, or many refused. */
    ENUMERATION,
    /** More patients outside the work of the day than the budgets allow. */
    UNEXPLAINED_BUDGET, UNEXPLAINED_RATE,
    /** Records opened or changed faster than anyone reads them. */
    PACE,
    /** More patients shown in an hour than any work list holds. */
    VOLUME,
    /** A session used from another address. */
    NEW_ADDRESS,
    SEARCH_RATE,
    /** Refused attempts in a minute. */
    REFUSALS,
    ACCOUNT_NOT_ACTIVE,
    /** Wrong second-factor codes: locked for a while, or frozen after too many in a day. */
    SECOND_FACTOR_LOCKED, SECOND_FACTOR_GUESSING,
    /** An administrator asked for a grant that opens patient data (a second administrator approves). */
    STAFF_GRANT_REQUESTED,
    /** The audit writer found the chain since its last checkpoint broken, and signed nothing (ADR 0020). */
    AUDIT_CHAIN_BROKEN,
    /** The HTTP witness of the audit checkpoints cannot be reached. */
    AUDIT_WITNESS_UNAVAILABLE,
    /** A sealed value of the record did not open where it was found: altered, moved or restored under another key. */
    SEALED_VALUE_ALTERED
}
