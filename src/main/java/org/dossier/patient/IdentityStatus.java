package org.dossier.patient;

/**
 * Identity-vigilance status of the French RNIV: PROVISIONAL (not checked), RECOVERED (INS fetched from
 * the national teleservice, identity document not yet seen), VALIDATED (identity document checked, no
 * INS), QUALIFIED (both: the only status under which the INS may be used to share data).
 */
public enum IdentityStatus {
    PROVISIONAL, RECOVERED, VALIDATED, QUALIFIED;

    public boolean requiresIns() {
        return this == RECOVERED || this == QUALIFIED;
    }
}
