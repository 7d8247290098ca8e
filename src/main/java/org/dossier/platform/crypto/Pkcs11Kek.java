package org.dossier.platform.crypto;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.security.auth.login.FailedLoginException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;

/**
 * The production key-encryption key: an AES-256 key inside a PKCS#11 token (an HSM; SoftHSM2 in the tests), used through
 * the JDK's SunPKCS11 provider with AES-GCM, so the key never leaves the token and the server's memory holds only the data
 * keys it unwrapped. The operator generates it in the token with keytool, sensitive and never extractable
 * (docs/security/encryption.md); a key the token would let anyone with the PIN read is refused at start.
 * A wrapped value is a format byte, the 12-byte nonce and the GCM output.
 */
final class Pkcs11Kek implements KeyEncryptionKey {

    private static final byte FORMAT = 1;
    private static final int NONCE_BYTES = 12;

    private final Provider provider;
    private final SecretKey key;
    private final String id;
    private final SecureRandom random = new SecureRandom();

    private Pkcs11Kek(Provider provider, SecretKey key, String id) {
        this.provider = provider;
        this.key = key;
        this.id = id;
    }

    static Pkcs11Kek load(String configFile, String pin, String alias) {
        String where = "the PKCS#11 token of " + configFile + " (DOSSIER_KEYS_PKCS11_CONFIG)";
        if (pin.isBlank() || alias.isBlank()) {
            throw new IllegalStateException("DOSSIER_KEYS_PKCS11_PIN and DOSSIER_KEYS_PKCS11_ALIAS are required with " + where);
        }
        if (!Files.isReadable(Path.of(configFile))) {
            throw new IllegalStateException("DOSSIER_KEYS_PKCS11_CONFIG names " + Path.of(configFile).toAbsolutePath()
                    + ", which is not a readable SunPKCS11 configuration file");
        }
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new IllegalStateException("This Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki): it cannot use " + where);
        }
        try {
            Provider provider = base.configure(configFile);
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            login(store, pin, where);
            Key key = store.getKey(alias, null);
            if (!(key instanceof SecretKey secret) || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
                throw new IllegalStateException(where + " has no AES secret key under the alias " + alias
                        + " (DOSSIER_KEYS_PKCS11_ALIAS): generate it in the token with keytool -genseckey, docs/security/encryption.md");
            }
            if (secret.getEncoded() != null) {
                throw new IllegalStateException("The key " + alias + " of " + where + " can be read out of the token (it is extractable"
                        + " and not sensitive): generate a key the token keeps (CKA_SENSITIVE, not CKA_EXTRACTABLE)");
            }
            Pkcs11Kek kek = new Pkcs11Kek(provider, secret, "pkcs11:" + provider.getName().replaceFirst("^SunPKCS11-", "") + "/" + alias);
            kek.selfTest();
            return kek;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("Cannot use the key-encryption key of " + where + ": " + e.getMessage(), e);
        }
    }

    private static void login(KeyStore store, String pin, String where) throws GeneralSecurityException {
        try {
            store.load(null, pin.toCharArray());
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof FailedLoginException) {
                    // One refusal per start, never retried: an HSM locks its PIN after a few wrong ones.
                    throw new IllegalStateException(where + " refused the PIN (DOSSIER_KEYS_PKCS11_PIN)", e);
                }
            }
            throw new IllegalStateException("Cannot log in to " + where + ": " + e.getMessage(), e);
        }
    }

    /** A wrap and unwrap at start: a token that cannot do AES-GCM must stop the server now, not at the first patient. */
    private void selfTest() throws GeneralSecurityException {
        byte[] probe = "dossier-kek-self-test".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (!java.util.Arrays.equals(probe, decrypt(encrypt(probe, probe), probe))) {
            throw new GeneralSecurityException("the token's AES-GCM does not give back what it wrapped");
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(associatedData);
        byte[] sealed = cipher.doFinal(plaintext);
        return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(FORMAT).put(nonce).put(sealed).array();
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        if (ciphertext.length < 1 + NONCE_BYTES + 16 || ciphertext[0] != FORMAT) {
            throw new GeneralSecurityException("not a value wrapped by a PKCS#11 key-encryption key");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, ciphertext, 1, NONCE_BYTES));
        cipher.updateAAD(associatedData);
        return cipher.doFinal(ciphertext, 1 + NONCE_BYTES, ciphertext.length - 1 - NONCE_BYTES);
    }

    @Override
    public String toString() {
        return "key-encryption key " + id;
    }
}
