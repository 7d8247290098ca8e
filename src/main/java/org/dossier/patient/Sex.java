package org.dossier.patient;

/** Administrative sex as recorded on the INS: F, M, or U when unknown or undetermined. */
public enum Sex {
    F, M, U
}
