package org.dossier.platform.crypto;

import com.google.crypto.tink.Aead;

import java.security.GeneralSecurityException;

/**
 * The key that wraps the facilities' data keys, held outside the database: a Tink keyset file outside the data directory
 * in development ({@link FileKek}), an AES key inside a PKCS#11 token in production ({@link Pkcs11Kek}). {@code id} is
 * stored beside every key it wraps, so that a rotation knows which rows still need the previous one. It never shows its
 * key: {@link #toString()} names it only.
 */
public interface KeyEncryptionKey extends Aead {

    /** Names the key (its kind and where it lives), never its value. */
    String id();

    /** Wraps with this key; AES-GCM with the associated data authenticated and bound to the result. */
    @Override
    byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException;

    /** Unwraps what this key wrapped with the same associated data, or throws. */
    @Override
    byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException;
}
