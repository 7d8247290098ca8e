package org.dossier.platform.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;

/**
 * The development key-encryption key: a Tink AES-256-GCM keyset in a file of its own directory, outside the data
 * directory (so that a copy of {@code ./data/} or of the database does not carry it), generated once on first start as
 * {@code platform.SecretBox} does its key, readable by the server's user only.
 */
final class FileKek implements KeyEncryptionKey {

    private final Path file;
    private final Aead aead;
    private final String id;

    private FileKek(Path file, Aead aead, int keyId) {
        this.file = file;
        this.aead = aead;
        this.id = "file:" + Integer.toUnsignedString(keyId);
    }

    static FileKek readOrCreate(Path file) {
        try {
            AeadConfig.register();
            KeysetHandle handle;
            if (Files.exists(file)) {
                handle = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(file), InsecureSecretKeyAccess.get());
            } else {
                handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
                Files.createDirectories(file.getParent());
                Files.writeString(file, TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get()),
                        StandardOpenOption.CREATE_NEW);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            return new FileKek(file, handle.getPrimitive(RegistryConfiguration.get(), Aead.class), handle.getPrimary().getId());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the key-encryption key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The key-encryption key file " + file + " is not a Tink AEAD keyset", e);
        }
    }

    /** A key file that must exist (the previous key of a rotation): a missing one is a mistake, not a reason to make one. */
    static FileKek existing(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalStateException("DOSSIER_KEYS_PREVIOUS_FILE names " + file.toAbsolutePath() + ", which is not a readable key file");
        }
        return readOrCreate(file);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        return aead.encrypt(plaintext, associatedData);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return aead.decrypt(ciphertext, associatedData);
    }

    @Override
    public String toString() {
        return "key-encryption key " + id + " (file " + file + ")";
    }
}
