package org.dossier.organization;

/** Inpatient wards hold beds; emergency units see short stays; outpatient clinics hold appointments. */
public enum UnitKind {
    WARD, EMERGENCY, INTENSIVE_CARE, OUTPATIENT
}
