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
                      @Value("${dossier.keys.previous-file:}") String previousFile) {
        if (!pkcs11Config.isBlank()) {
            this.current = Pkcs11Kek.load(pkcs11Config, pin, alias);
            this.previousKey = previousAlias.isBlank() ? null : Pkcs11Kek.load(pkcs11Config, pin, previousAlias);
        } else if ("production".equals(profile)) {
            throw new IllegalStateException("DOSSIER_KEYS_PKCS11_CONFIG is required in production: the key that wraps the data keys"
                    + " of patient data lives in an HSM (docs/security/encryption.md)");
        } else {
            Path dir = keysDir.isBlank() ? Path.of(dataDir).toAbsolutePath().normalize().resolveSibling(
                    Path.of(dataDir).toAbsolutePath().normalize().getFileName() + "-keys") : Path.of(keysDir);
            this.current = FileKek.readOrCreate(dir.resolve("kek.json"));
            this.previousKey = previousFile.isBlank() ? null : FileKek.existing(Path.of(previousFile));
        }
        log.info("Data keys are wrapped by the {}{}", current, previousKey == null ? "" : "; re-wrapping those of the " + previousKey);
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
