package org.dossier.platform.crypto;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The server's key-encryption key, and during a rotation the previous one (ADR 0041). A PKCS#11 token when
 * {@code DOSSIER_KEYS_PKCS11_CONFIG} is set (required in production); otherwise the key file {@code kek.json} of the keys
 * directory, {@code DOSSIER_KEYS_DIR} (default: the data directory's name followed by {@code -keys}, beside it and never
 * inside it, so that a copy of the data directory or a database backup does not carry it). The previous key is another
 * alias of the same token ({@code DOSSIER_KEYS_PKCS11_PREVIOUS_ALIAS}) or another file ({@code DOSSIER_KEYS_PREVIOUS_FILE}):
 * data keys it wrapped are re-wrapped with the current one at start ({@link DataKeys#rewrapAll()}), while the server serves.
 */
@Component
public class KeyEncryptionKeys {

    private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKeys.class);

    private final KeyEncryptionKey current;
    private final KeyEncryptionKey previousKey;

    @org.springframework.beans.factory.annotation.Autowired
    KeyEncryptionKeys(@Value("${dossier.profile}") String profile, @Value("${dossier.data-dir}") String dataDir,
                      @Value("${dossier.keys.dir:}") String keysDir,
                      @Value("${dossier.keys.pkcs11.config:}") String pkcs11Config,
                      @Value("${dossier.keys.pkcs11.pin:}") String pin,
                      @Value("${dossier.keys.pkcs11.alias:}") String alias,
                      @Value("${dossier.keys.pkcs11.previous-alias:}") String previousAlias,
                      @Value("${dossier.keys.previous-file:}") String previousFile,
                      @Value("${dossier.db.url:}") String externalDatabase) {
        if (!pkcs11Config.isBlank()) {
            this.current = Pkcs11Kek.load(pkcs11Config, pin, alias);
            this.previousKey = previousAlias.isBlank() ? null : Pkcs11Kek.load(pkcs11Config, pin, previousAlias);
        } else {
            this.current = FileKek.readOrCreate(keyFile(profile, dataDir, keysDir, externalDatabase));
            this.previousKey = previousFile.isBlank() ? null : FileKek.existing(Path.of(previousFile));
        }
        log.info("Data keys are wrapped by the {}{}", current, previousKey == null ? "" : "; re-wrapping those of the " + previousKey);
    }

    /** The key file: in the keys directory given, or beside the data directory (development only). */
    private static Path keyFile(String profile, String dataDir, String keysDir, String externalDatabase) {
        if (!keysDir.isBlank()) {
            if ("production".equals(profile)) {
                log.warn("The data keys are wrapped by a key file ({}): in production, keep that key in an HSM"
                        + " (DOSSIER_KEYS_PKCS11_CONFIG, docs/security/encryption.md)", keysDir);
            }
            return Path.of(keysDir).resolve("kek.json");
        }
        if ("production".equals(profile)) {
            throw new IllegalStateException("DOSSIER_KEYS_PKCS11_CONFIG (the HSM holding the key that wraps the data keys of patient"
                    + " data) or DOSSIER_KEYS_DIR (a key file kept outside the data directory) is required in production"
                    + " (docs/security/encryption.md)");
        }
        if (!externalDatabase.isBlank()) {
            // As with DOSSIER_SECRET_KEY: a second node with a key of its own could not open what the first sealed.
            log.warn("DOSSIER_KEYS_DIR is not set: this node wraps data keys with a key file beside {}; every node of one database"
                    + " must be given the same key (DOSSIER_KEYS_DIR, or DOSSIER_KEYS_PKCS11_CONFIG)", dataDir);
        }
        return KeyFiles.directory("", dataDir).resolve("kek.json");
    }

    /** The keys themselves: a rotation's or a test's. */
    KeyEncryptionKeys(KeyEncryptionKey current, KeyEncryptionKey previous) {
        this.current = current;
        this.previousKey = previous;
    }

    public KeyEncryptionKey current() {
        return current;
    }

    /** The key being rotated away from, if any. */
    Optional<KeyEncryptionKey> previous() {
        return Optional.ofNullable(previousKey);
    }

    /** The key that wrapped a stored data key, when this server holds it. */
    Optional<KeyEncryptionKey> byId(String id) {
        if (current.id().equals(id)) {
            return Optional.of(current);
        }
        return previousKey != null && previousKey.id().equals(id) ? Optional.of(previousKey) : Optional.empty();
    }
}
