package org.dossier.patient;

/** MERGED records were found to duplicate another patient; they point to the survivor and can be unmerged. */
public enum PatientStatus {
    ACTIVE, MERGED
}
