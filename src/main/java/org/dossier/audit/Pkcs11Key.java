package org.dossier.audit;

import javax.security.auth.login.FailedLoginException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The signing key of a PKCS#11 token (an HSM, a smart card, SoftHSM), through the JDK's SunPKCS11 provider: the private
 * key never leaves the token, so neither the database nor a copy of the server's files holds it. The token holds the key
 * pair and a certificate for it (the public key is read from the certificate). The key is EC P-256, signed with ECDSA:
 * SunPKCS11 has no EdDSA on JDK 17. Every way this can be misconfigured stops the server at start with a sentence that
 * names the setting to fix, because a signer that fails only at the first checkpoint fails a minute after nobody looks.
 */
record Pkcs11Key(Provider provider, PrivateKey privateKey, PublicKey publicKey) {

    static Pkcs11Key load(String configFile, String pin, String alias) {
        String where = "the PKCS#11 token of " + configFile + " (DOSSIER_AUDIT_PKCS11_CONFIG)";
        Provider provider = provider(configFile, pin, where);
        try {
            KeyStore store = login(provider, pin, where);
            String chosen = chosenAlias(store, alias, where);
            PrivateKey key = (PrivateKey) store.getKey(chosen, null);
            Certificate certificate = store.getCertificate(chosen);
            if (key.getEncoded() != null) {
                // SunPKCS11 reads a key's value only when the token lets anyone with the PIN read it (neither sensitive
                // nor unextractable): such a key can be copied, which is what the token was for.
                throw new IllegalStateException("The key " + chosen + " of " + where + " can be read out of the token (it is extractable"
                        + " and not sensitive): generate a key the token keeps (CKA_SENSITIVE, not CKA_EXTRACTABLE),"
                        + " as docs/security/access-and-audit.md shows");
            }
            PublicKey publicKey = certificate.getPublicKey();
            if (!"EC".equals(publicKey.getAlgorithm()) && !"RSA".equals(publicKey.getAlgorithm())) {
                throw new IllegalStateException("The key " + chosen + " of " + where + " is a " + publicKey.getAlgorithm()
                        + " key: an audit signing key in a token is EC P-256 (or RSA)");
            }
            selfTest(provider, key, publicKey, chosen, where);
            return new Pkcs11Key(provider, key, publicKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the audit signing key from " + where + ": " + rootMessage(e), e);
        }
    }

    /** The SunPKCS11 provider configured with the file, once the settings it needs are known to be there. */
    private static Provider provider(String configFile, String pin, String where) {
        if (pin.isBlank()) {
            throw new IllegalStateException("DOSSIER_AUDIT_PKCS11_PIN is required with DOSSIER_AUDIT_PKCS11_CONFIG: the user PIN of "
                    + where);
        }
        if (!Files.isReadable(Path.of(configFile))) {
            throw new IllegalStateException("DOSSIER_AUDIT_PKCS11_CONFIG names " + Path.of(configFile).toAbsolutePath()
                    + ", which is not a readable SunPKCS11 configuration file");
        }
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new IllegalStateException("This Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki): it cannot use "
                    + where);
        }
        try {
            return base.configure(configFile);
        } catch (RuntimeException e) { // InvalidParameterException or ProviderException: bad file, library or slot
            throw new IllegalStateException("Cannot open " + where + ": " + rootMessage(e)
                    + " (check the file's library and slot lines)", e);
        }
    }

    private static KeyStore login(Provider provider, String pin, String where) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS11", provider);
        try {
            store.load(null, pin.toCharArray());
        } catch (IOException e) {
            if (causedBy(e, FailedLoginException.class)) {
                // One refusal per start, never retried: an HSM locks its PIN after a few wrong ones.
                throw new IllegalStateException(where + " refused the PIN (DOSSIER_AUDIT_PKCS11_PIN): " + rootMessage(e), e);
            }
            throw new IllegalStateException("Cannot log in to " + where + ": " + rootMessage(e), e);
        }
        return store;
    }

    /** The alias named by the setting, or the token's only key with a certificate. */
    private static String chosenAlias(KeyStore store, String alias, String where) throws GeneralSecurityException {
        List<String> keys = new ArrayList<>();
        for (String a : Collections.list(store.aliases())) {
            if (store.isKeyEntry(a) && store.getCertificate(a) != null) {
                keys.add(a);
            }
        }
        if (!alias.isBlank()) {
            if (!keys.contains(alias)) {
                throw new IllegalStateException(where + " has no private key with a certificate under the alias " + alias
                        + " (DOSSIER_AUDIT_PKCS11_ALIAS); it holds " + describe(keys));
            }
            return alias;
        } else if (keys.size() == 1) {
            return keys.get(0);
        }
        throw new IllegalStateException(where + " holds " + describe(keys)
                + (keys.isEmpty() ? "" : ": name the audit signing key with DOSSIER_AUDIT_PKCS11_ALIAS"));
    }

    /**
     * One signature at start, checked with the certificate's key: a token that cannot sign, or a certificate that belongs
     * to another key, would otherwise be found by the first checkpoint that does not verify.
     */
    private static void selfTest(Provider provider, PrivateKey key, PublicKey publicKey, String alias, String where)
            throws GeneralSecurityException {
        String algorithm = AuditSigner.algorithmOf(publicKey);
        byte[] probe = "dossier-audit-pkcs11-self-test".getBytes(StandardCharsets.UTF_8);
        Signature signing = Signature.getInstance(algorithm, provider);
        signing.initSign(key);
        signing.update(probe);
        byte[] signature = signing.sign();
        Signature checking = Signature.getInstance(algorithm);
        checking.initVerify(publicKey);
        checking.update(probe);
        if (!checking.verify(signature)) {
            throw new IllegalStateException("The certificate under the alias " + alias + " of " + where
                    + " is not that of its private key: its signatures would not verify");
        }
    }

    private static String describe(List<String> aliases) {
        return aliases.isEmpty() ? "no private key with a certificate" : "the keys " + String.join(", ", aliases);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
