package org.dossier.organization;

/** What a staff member does; it decides which parts of a chart they may ever see. */
public enum Role {
    PHYSICIAN, NURSE, FRONT_DESK, BILLING, ADMIN, SECURITY_OFFICER;

    public boolean isClinical() {
        return this == PHYSICIAN || this == NURSE;
    }
}
