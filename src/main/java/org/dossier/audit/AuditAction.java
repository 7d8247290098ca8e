package org.dossier.audit;

/**
 * What an audit entry records being done. The stored code is the lower-case word the trail has always held
 * (existing chains verify unchanged); a code that is not here cannot be written.
 */
public enum AuditAction {
    READ("read"),
    SEARCH("search"),
    /** A patient named in a list: a census, an agenda, a work queue. */
    LIST("list"),
    CREATE("create"),
    UPDATE("update"),
    AMEND("amend"),
    SIGN("sign"),
    /** A change of a record's status (a stay discharged, an order stopped, a membership ended). */
    STATUS("status"),
    ENTERED_IN_ERROR("entered-in-error"),
    MERGE("merge"),
    UNMERGE("unmerge"),
    DELETE("delete"),
    IMPORT("import"),
    BREAK_GLASS("break-glass"),
    BREAK_GLASS_REVIEW("break-glass-review"),
    RESTRICT("restrict"),
    LIFT_RESTRICTION("lift-restriction"),
    /** The security officer shown a patient in a report of the trail. */
    OVERSEE("oversee"),
    /** The patient portal's sign-in, its refusals and its enrolment (ADR 0039): events of a patient's own account. */
    PORTAL_SIGN_IN("PORTAL:SIGN_IN"),
    PORTAL_SIGN_IN_FAILED("PORTAL:SIGN_IN_FAILED"),
    PORTAL_ENROLMENT("PORTAL:ENROLMENT"),
    PORTAL_SIGN_OUT("PORTAL:SIGN_OUT"),
    GUARD_FREEZE("GUARD:FREEZE"),
    GUARD_UNFREEZE("GUARD:UNFREEZE");

    private final String code;

    AuditAction(String code) {
        this.code = code;
    }

    /** The code stored in the trail. */
    public String code() {
        return code;
    }

    /** The action an HTTP method asks for, for a refusal recorded before any service named one. */
    public static AuditAction ofHttpMethod(String method) {
        return switch (method == null ? "GET" : method) {
            case "POST" -> CREATE;
            case "PUT", "PATCH" -> UPDATE;
            case "DELETE" -> DELETE;
            default -> READ;
        };
    }
}
