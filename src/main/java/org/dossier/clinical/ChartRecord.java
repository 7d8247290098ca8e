package org.dossier.clinical;

/** What every versioned record of the clinical chart has: its own id, its patient's and facility's, its version. */
interface ChartRecord {

    long id();

    int facilityId();

    long patientId();

    int version();
}
