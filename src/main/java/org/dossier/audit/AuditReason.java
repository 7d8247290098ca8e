package org.dossier.audit;

/**
 * Why an access was allowed or refused: the reason code of an audit entry. The care relationships come from the
 * database's explanation of the work of the day (migration V20) by the same names.
 */
public enum AuditReason {
    // The work of the day (ADR 0018).
    ATTENDING, CURRENT_STAY_IN_UNIT, CARE_TEAM, APPOINTMENT, REFERRAL, RECENT_DISCHARGE,
    APPOINTMENT_TODAY, STAY_TODAY, BILLING_QUEUE,
    /** A patient the actor registered, or changed within the last day. */
    OWN_WORK,
    // Allowances that are not the work of the day.
    BREAK_THE_GLASS,
    /** The front desk's or billing office's section of a patient of its facility that its work does not explain. */
    FRONT_DESK, BILLING_OFFICE,
    SEARCH_RESULT, REGISTRATION, IMPORT,
    /** A patient named in a list who is not in the actor's work of the day. */
    OUTSIDE_WORK,
    /** A question about the actor's relationship with a patient that nothing in their work explains. */
    NO_LINK,
    /** The security officer's views of the trail. */
    OVERSIGHT,
    /** The patient themself, signed in to the portal, on their own record (ADR 0039). */
    PATIENT_SELF,
    /** A legal guardian, signed in to the portal with their own account, on a minor's record they hold a link to (ADR 0050). */
    GUARDIAN,
    // Refusals.
    NOT_FOUND, OTHER_FACILITY, ROLE, NO_RELATIONSHIP, RESTRICTED, SELF_RECORD,
    /** Break-the-glass refused: no second factor within five minutes, or the daily limit reached. */
    STEP_UP_REQUIRED, BREAK_GLASS_LIMIT,
    /** An import run touching a patient it did not register. */
    IMPORT_SCOPE,
    /** A patient's portal account asking for another patient's record, or for a change: it reads its own record only. */
    NOT_OWN_RECORD,
    /** A SMART app asking for a patient, a resource type or an interaction its authorization (scopes, launch patient) does not cover. */
    APP_SCOPE,
    /** The hospital's policy for the facility refuses it (enrolment codes sent by e-mail only, ADR 0049). */
    FACILITY_POLICY,
    /** An administrator's change refused (own roles, a grant without a second administrator). */
    ADMINISTRATION,
    /** The exfiltration guard's answers: a second factor asked, or the account frozen. */
    GUARD_STEP_UP, GUARD_FREEZE;

    /** The reason a stored or computed code names; a code the vocabulary does not know is a programming error. */
    public static AuditReason of(String code) {
        return valueOf(code);
    }
}
