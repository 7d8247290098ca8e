package org.dossier.care;

/** RESCHEDULED appointments were moved: the new one points back to them. */
public enum AppointmentStatus {
    BOOKED, CANCELLED, RESCHEDULED, NO_SHOW, COMPLETED
}
