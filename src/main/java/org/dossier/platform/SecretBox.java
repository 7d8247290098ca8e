package org.dossier.platform;

import org.dossier.platform.crypto.KeyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Seals small secrets kept in the database (TOTP shared secrets, the sessions' attributes) with AES-256-GCM under the
 * server key, so that a copy of the database alone does not yield them. The key comes from {@code DOSSIER_SECRET_KEY}
 * (base64, 32 bytes); in development it is generated once into {@code secret.key} of the keys directory, beside the
 * key-encryption key and outside the data directory ({@link KeyFiles#directory}): a copy of the data directory, which holds
 * the database, must not hold what opens its secrets too (issue 22).
 */
@Component
public class SecretBox {

    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final int NONCE_BYTES = 12;
    private static final String FILE = "secret.key";
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    SecretBox(@Value("${dossier.secret-key:}") String configuredKey, @Value("${dossier.data-dir}") String dataDir,
              @Value("${dossier.keys.dir:}") String keysDir,
              @Value("${dossier.profile}") String profile, @Value("${dossier.db.url:}") String externalDatabase) {
        byte[] raw;
        if (!configuredKey.isBlank()) {
            raw = Base64.getDecoder().decode(configuredKey.strip());
        } else if ("production".equals(profile)) {
            throw new IllegalStateException("DOSSIER_SECRET_KEY is required in production (32 random bytes, base64)");
        } else {
            Path file = developmentKeyFile(dataDir, keysDir);
            raw = readOrCreate(file);
            if (!externalDatabase.isBlank()) {
                // Seen in the cluster test bed: a second node with a key of its own cannot open what the first sealed.
                log.warn("DOSSIER_SECRET_KEY is not set: this node seals secrets with the key in {}; every node of one database"
                        + " must be given the same DOSSIER_SECRET_KEY", file);
            }
        }
        if (raw.length != 32) {
            throw new IllegalStateException("The secret key must be 32 bytes (base64 of 32 random bytes)");
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    public String seal(String plaintext) {
        return Base64.getEncoder().encodeToString(seal(plaintext.getBytes(StandardCharsets.UTF_8)));
    }

    public String open(String sealedText) {
        return new String(open(Base64.getDecoder().decode(sealedText)), StandardCharsets.UTF_8);
    }

    /** The nonce, then the ciphertext and its tag. */
    public byte[] seal(byte[] plaintext) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot seal a secret", e);
        }
    }

    public byte[] open(byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, NONCE_BYTES));
            return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("A sealed secret does not open with this server key", e);
        }
    }

    /** The key file in the keys directory; one an earlier version left in the data directory is moved there first. */
    private static Path developmentKeyFile(String dataDir, String keysDir) {
        Path file = KeyFiles.directory(keysDir, dataDir).resolve(FILE);
        Path legacy = Path.of(dataDir).resolve(FILE);
        if (KeyFiles.moveLegacy(legacy, file)) {
            log.warn("Moved the server key (DOSSIER_SECRET_KEY's file) out of the data directory, from {} to {}: copies of the data"
                    + " directory taken before hold it, and with it the sealed secrets they hold (docs/security/encryption.md)",
                    legacy.toAbsolutePath(), file);
        }
        return file;
    }

    private static byte[] readOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).strip());
            }
            Files.createDirectories(file.getParent());
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            Files.writeString(file, Base64.getEncoder().encodeToString(raw));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the server key " + file, e);
        }
    }
}
