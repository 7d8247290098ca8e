package org.dossier.organization;

/** What a staff member does; it decides which parts of a chart they may ever see. */
public enum Role {
    PHYSICIAN, NURSE, FRONT_DESK, BILLING, ADMIN, SECURITY_OFFICER;

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
