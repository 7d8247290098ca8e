package org.dossier.platform.crypto;

/** What seals a cell's value: the {@link FieldCipher} itself, or one bound to a patient's key ({@link FieldCipher#sealingFor}). */
@FunctionalInterface
public interface Sealing {

    byte[] seal(FieldCipher.Cell cell, String plaintext);
}
