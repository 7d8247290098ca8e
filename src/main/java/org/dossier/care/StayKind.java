package org.dossier.care;

/** An inpatient stay in a ward, or an emergency visit (a short stay in the emergency unit). */
public enum StayKind {
    INPATIENT, EMERGENCY
}
