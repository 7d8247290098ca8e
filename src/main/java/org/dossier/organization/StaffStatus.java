package org.dossier.organization;

/** ACTIVE accounts may sign in; SUSPENDED ones were disabled by an administrator; FROZEN ones by the exfiltration guard. */
public enum StaffStatus {
    ACTIVE, SUSPENDED, FROZEN
}
