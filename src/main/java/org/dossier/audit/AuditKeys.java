package org.dossier.audit;

/** Prints a new audit signing key pair in the form DOSSIER_AUDIT_SIGNING_KEY expects: {@code bin/audit-keygen}. */
public final class AuditKeys {

    private AuditKeys() {
    }

    public static void main(String[] args) {
        String material = AuditSigner.newKeyMaterial();
        System.out.println("DOSSIER_AUDIT_SIGNING_KEY=" + material);
        System.out.println("# public key, to keep outside the database with exported checkpoints:");
        System.out.println("# " + material.substring(material.indexOf('.') + 1));
    }
}
