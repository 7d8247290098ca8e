package org.dossier.organization;

/**
 * What a staff member does; it decides which parts of a chart they may ever see. {@link #PATIENT} is no staff role: it is
 * the patient signed in to the portal, acting on their own record only (ADR 0039); no staff account can hold it (the
 * database's check on staff roles refuses it, and the staff sign-in never grants it).
 */
public enum Role {
    PHYSICIAN, NURSE, FRONT_DESK, BILLING, ADMIN, SECURITY_OFFICER, PATIENT;

    /** The roles an administrator may grant to a staff account: every role but {@link #PATIENT}. */
    public static Role[] staffRoles() {
        return java.util.Arrays.stream(values()).filter(r -> r != PATIENT).toArray(Role[]::new);
    }

    public boolean isClinical() {
        return this == PHYSICIAN || this == NURSE;
    }

    /**
     * True for the roles that see some part of a patient's record (those to which the gateway's
     * {@code Section.visibleTo} gives any section): PHYSICIAN, NURSE, FRONT_DESK, BILLING.
     */
    public boolean readsPatientData() {
        return this == PHYSICIAN || this == NURSE || this == FRONT_DESK || this == BILLING;
    }

    /** True for the roles that run the system (ADMIN, SECURITY_OFFICER): they never hold a role that reads patient data. */
    public boolean isPrivileged() {
        return this == ADMIN || this == SECURITY_OFFICER;
    }
}
