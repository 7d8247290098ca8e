package org.dossier.platform.crypto;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.nio.file.Path;

/** A field cipher as a thief with the database but another key-encryption key would build one: for the proof tests. */
public final class WrongKeys {

    private WrongKeys() {
    }

    /** Another key file (created in {@code dir}): the facilities' data keys are wrapped by a key it is not. */
    public static FieldCipher anotherKeyFile(JdbcClient jdbc, Path dir) {
        return new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(KeyTestBed.fileKek(dir, "thief"), null)));
    }

    /** Another key that claims the server's key's name: the wrapped data keys do not open with it either. */
    public static FieldCipher impostorOf(KeyEncryptionKey real, JdbcClient jdbc, Path dir) {
        KeyEncryptionKey other = KeyTestBed.fileKek(dir, "impostor");
        KeyEncryptionKey impostor = new KeyEncryptionKey() {
            public String id() {
                return real.id();
            }

            public byte[] encrypt(byte[] plaintext, byte[] ad) throws java.security.GeneralSecurityException {
                return other.encrypt(plaintext, ad);
            }

            public byte[] decrypt(byte[] ciphertext, byte[] ad) throws java.security.GeneralSecurityException {
                return other.decrypt(ciphertext, ad);
            }
        };
        return new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(impostor, null)));
    }

    /**
     * The server's own key-encryption key and the database, but no patient key store: what the holder of a backup and of
     * the KEK (a stolen key file, the HSM and its PIN) can open. Facility cells open; patients' own cells do not.
     */
    public static FieldCipher withoutPatientKeys(JdbcClient jdbc, KeyEncryptionKeys keks) {
        return new FieldCipher(KeyTestBed.dataKeys(jdbc, keks));
    }

    /** The same with a copy of the patient key store taken at some time (a backup of the key store). */
    public static FieldCipher withPatientStore(JdbcClient jdbc, KeyEncryptionKeys keks, Path store) {
        DataKeys keys = KeyTestBed.dataKeys(jdbc, keks);
        return new FieldCipher(keys, new PatientKeys(store, keys), null);
    }

    /** Where the server keeps its patients' keys. */
    public static Path patientStoreOf(PatientKeys keys) {
        return keys.store();
    }
}
