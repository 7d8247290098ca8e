package org.dossier.care;

/** CANCELLED means entered in error: the stay never happened, but its record stays. */
public enum StayStatus {
    ACTIVE, DISCHARGED, CANCELLED
}
