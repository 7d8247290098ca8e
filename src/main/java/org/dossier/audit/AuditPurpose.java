package org.dossier.audit;

/** Why the actor accessed the record: HL7 v3 PurposeOfUse codes, as IHE BALP records them. */
public enum AuditPurpose {
    /** Treatment. */
    TREAT,
    /** Emergency treatment (break-the-glass). */
    ETREAT,
    /** Healthcare operations (the front desk, imports). */
    HOPERAT,
    /** Payment (billing). */
    HPAYMT,
    /** Patient requested: the patient reading their own record (the portal). */
    PATRQT,
    /** System administration (the security officer's oversight). */
    HSYSADMIN
}
