package org.dossier.audit;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.util.Collections;

/**
 * The signing key of a PKCS#11 token (an HSM, a smart card, SoftHSM), through the JDK's SunPKCS11 provider: the private
 * key never leaves the token, so neither the database nor a copy of the server's files holds it. The token holds the key
 * pair and a certificate for it (the public key is read from the certificate); an EC P-256 key is what SunPKCS11 signs
 * with on every JDK since 17 (Ed25519 inside a token needs a newer provider).
 */
record Pkcs11Key(Provider provider, PrivateKey privateKey, PublicKey publicKey) {

    static Pkcs11Key load(String configFile, String pin, String alias) {
        try {
            Provider provider = Security.getProvider("SunPKCS11").configure(configFile);
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin.toCharArray());
            String chosen = alias.isBlank() ? Collections.list(store.aliases()).stream().filter(a -> isKey(store, a)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the PKCS#11 token holds no private key")) : alias;
            PrivateKey key = (PrivateKey) store.getKey(chosen, null);
            Certificate certificate = store.getCertificate(chosen);
            if (key == null || certificate == null) {
                throw new IllegalStateException("the PKCS#11 token has no private key with a certificate under the alias " + chosen);
            }
            return new Pkcs11Key(provider, key, certificate.getPublicKey());
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("Cannot load the audit signing key from the PKCS#11 token (" + configFile + ")", e);
        }
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (java.security.KeyStoreException e) {
            return false;
        }
    }
}
