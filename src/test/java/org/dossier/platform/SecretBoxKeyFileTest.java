package org.dossier.platform;

import org.dossier.support.TestDataDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The development server key ({@code secret.key}: TOTP secrets, the SMART signing key, the sessions) lives beside the
 * key-encryption key, outside the data directory, so that a file-level copy of {@code ./data} does not open what it seals
 * (issue 22); an installation that kept it in the data directory keeps working, its key moved out once.
 */
class SecretBoxKeyFileTest {

    private final Path dataDir = TestDataDirs.fresh("secret-key").resolve("data");
    private final Path keysDir = dataDir.resolveSibling("data-keys");

    @Test
    void aFreshDataDirectoryGetsItsKeyOutsideIt() throws Exception {
        SecretBox box = development("");

        assertThat(keysDir.resolve("secret.key")).as("beside kek.json").exists();
        assertThat(Files.getPosixFilePermissions(keysDir.resolve("secret.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dataDir.resolve("secret.key")).as("a copy of the data directory does not carry it").doesNotExist();
        assertThat(development("").open(box.seal("JBSWY3DPEHPK3PXP"))).as("the next start reads the same key").isEqualTo("JBSWY3DPEHPK3PXP");
    }

    @Test
    void aKeyKeptInTheDataDirectoryIsMovedOutAndWhatItSealedStillOpens() throws Exception {
        String key = randomKey();
        String sealed = new SecretBox(key, dataDir.toString(), "", "development", "").seal("JBSWY3DPEHPK3PXP");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("secret.key"), key);

        assertThat(development("").open(sealed)).isEqualTo("JBSWY3DPEHPK3PXP");
        assertThat(dataDir.resolve("secret.key")).as("no longer in the data directory").doesNotExist();
        assertThat(keysDir.resolve("secret.key")).hasContent(key);
        assertThat(Files.getPosixFilePermissions(keysDir.resolve("secret.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var left = Files.list(keysDir)) {
            assertThat(left).as("no temporary file left behind").containsExactly(keysDir.resolve("secret.key"));
        }
        assertThat(development("").open(sealed)).as("and on every start after").isEqualTo("JBSWY3DPEHPK3PXP");
    }

    @Test
    void aKeysDirectoryGivenIsWhereTheKeyGoes() throws Exception {
        Path given = dataDir.resolveSibling("elsewhere");
        String key = randomKey();
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("secret.key"), key);

        development(given.toString());

        assertThat(given.resolve("secret.key")).hasContent(key);
        assertThat(dataDir.resolve("secret.key")).doesNotExist();
        assertThat(keysDir).doesNotExist();
    }

    @Test
    void aMoveInterruptedAfterTheCopyIsFinished() throws Exception {
        String key = randomKey();
        Files.createDirectories(dataDir);
        Files.createDirectories(keysDir);
        Files.writeString(dataDir.resolve("secret.key"), key);
        Files.writeString(keysDir.resolve("secret.key"), key);

        development("");

        assertThat(dataDir.resolve("secret.key")).doesNotExist();
        assertThat(keysDir.resolve("secret.key")).hasContent(key);
    }

    @Test
    void twoDifferentKeysAreRefusedRatherThanGuessed() throws Exception {
        Files.createDirectories(dataDir);
        Files.createDirectories(keysDir);
        Files.writeString(dataDir.resolve("secret.key"), randomKey());
        Files.writeString(keysDir.resolve("secret.key"), randomKey());

        assertThatThrownBy(() -> development("")).hasMessageContaining("Two different keys")
                .hasMessageContaining(keysDir.resolve("secret.key").toString());
        assertThat(dataDir.resolve("secret.key")).as("nothing deleted").exists();
    }

    @Test
    void aConfiguredKeyNeedsNoFile() {
        String key = randomKey();
        String sealed = new SecretBox(key, dataDir.toString(), "", "production", "").seal("JBSWY3DPEHPK3PXP");

        assertThat(new SecretBox(key, dataDir.toString(), "", "development", "").open(sealed)).isEqualTo("JBSWY3DPEHPK3PXP");
        assertThat(keysDir).doesNotExist();
        assertThat(dataDir).doesNotExist();
        assertThatThrownBy(() -> new SecretBox("", dataDir.toString(), "", "production", "")).hasMessageContaining("DOSSIER_SECRET_KEY is required");
    }

    private SecretBox development(String keysDirSetting) {
        return new SecretBox("", dataDir.toString(), keysDirSetting, "development", "");
    }

    private static String randomKey() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }
}
