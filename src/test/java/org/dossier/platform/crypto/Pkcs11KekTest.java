package org.dossier.platform.crypto;

import org.dossier.support.IntegrationTest;
import org.dossier.support.SoftHsm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The production key-encryption key: an AES key generated inside a real PKCS#11 token (SoftHSM2 through SunPKCS11) with
 * the operator's keytool command, wrapping the data keys of a throwaway facility; a development key file migrated to it
 * and two token keys rotated by re-wrapping; every misconfiguration refused at start with the setting to fix.
 */
@ExtendWith(SoftHsm.Required.class)
class Pkcs11KekTest extends IntegrationTest {

    private static SoftHsm.Token keys;
    private static SoftHsm.Token stranger;

    @Autowired
    @Qualifier("owner")
    DataSource owner;

    @TempDir
    Path keyDir;

    /** Before anything in this JVM loads SoftHSM2, which reads its tokens once. */
    @BeforeAll
    static void tokens() {
        keys = SoftHsm.suite().keys();
        stranger = SoftHsm.suite().keysOther();
    }

    private static Pkcs11Kek kek(String alias) {
        return Pkcs11Kek.load(keys.config().toString(), SoftHsm.PIN, alias);
    }

    @Test
    void theTokensKeyWrapsAndUnwrapsAndNeverLeavesTheToken() throws Exception {
        Pkcs11Kek kek = kek(SoftHsm.KEK_ALIAS);
        byte[] ad = "dossier-data-key|1|FIELD".getBytes(StandardCharsets.UTF_8);
        byte[] wrapped = kek.encrypt("a data key".getBytes(StandardCharsets.UTF_8), ad);

        assertThat(new String(kek.decrypt(wrapped, ad), StandardCharsets.UTF_8)).isEqualTo("a data key");
        assertThatThrownBy(() -> kek.decrypt(wrapped, "dossier-data-key|2|FIELD".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(java.security.GeneralSecurityException.class);
        assertThatThrownBy(() -> kek(SoftHsm.NEXT_KEK_ALIAS).decrypt(wrapped, ad)).isInstanceOf(java.security.GeneralSecurityException.class);
        assertThat(kek.id()).isEqualTo("pkcs11:dossier-keys/" + SoftHsm.KEK_ALIAS);
        assertThat(kek.toString()).doesNotContain("[B@");
    }

    @Test
    void aDevelopmentKeyFileIsMigratedToTheTokenAndTokenKeysRotateByRewrapping() {
        new KeyTestBed(owner).inRolledBackTransaction(jdbc -> {
            KeyEncryptionKey file = KeyTestBed.fileKek(keyDir, "development");
            FieldCipher.Cell cell = new FieldCipher.Cell(KeyTestBed.FACILITY, "patient", "birth_family_name", 11);
            byte[] sealed = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(file, null))).seal(cell, "Lefèvre");

            DataKeys toToken = KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(kek(SoftHsm.KEK_ALIAS), file));
            assertThat(toToken.rewrapAll()).isEqualTo(1);
            DataKeys rotated = KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(kek(SoftHsm.NEXT_KEK_ALIAS), kek(SoftHsm.KEK_ALIAS)));
            assertThat(rotated.rewrapAll()).isEqualTo(1);
            assertThat(jdbc.sql("select kek_id from data_key where facility_id = ?").param(KeyTestBed.FACILITY).query(String.class).list())
                    .containsOnly("pkcs11:dossier-keys/" + SoftHsm.NEXT_KEK_ALIAS);

            FieldCipher onlyTheToken = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(kek(SoftHsm.NEXT_KEK_ALIAS), null)));
            assertThat(onlyTheToken.open(cell, sealed)).isEqualTo("Lefèvre");
            FieldCipher onlyTheFile = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(file, null)));
            assertThatThrownBy(() -> onlyTheFile.open(cell, sealed)).hasMessageContaining("which this server does not hold");
        });
    }

    @Test
    void everyMisconfigurationStopsTheStartWithTheSettingToFix() {
        assertThatThrownBy(() -> Pkcs11Kek.load(stranger.config().toString(), "135791", SoftHsm.KEK_ALIAS))
                .hasMessageContaining("refused the PIN (DOSSIER_KEYS_PKCS11_PIN)");
        assertThatThrownBy(() -> kek("no-such-key"))
                .hasMessageContaining("no AES secret key under the alias no-such-key (DOSSIER_KEYS_PKCS11_ALIAS)");
        assertThatThrownBy(() -> kek("exportable-kek")).hasMessageContaining("can be read out of the token");
        assertThatThrownBy(() -> Pkcs11Kek.load(keys.config().resolveSibling("missing.cfg").toString(), SoftHsm.PIN, SoftHsm.KEK_ALIAS))
                .hasMessageContaining("DOSSIER_KEYS_PKCS11_CONFIG names");
        assertThatThrownBy(() -> Pkcs11Kek.load(keys.config().toString(), "", SoftHsm.KEK_ALIAS))
                .hasMessageContaining("DOSSIER_KEYS_PKCS11_PIN and DOSSIER_KEYS_PKCS11_ALIAS are required");
        assertThatThrownBy(() -> new KeyEncryptionKeys("production", "./data", "", "", "", "", "", "", ""))
                .hasMessageContaining("DOSSIER_KEYS_PKCS11_CONFIG (the HSM holding the key that wraps the data keys of patient data)"
                        + " or DOSSIER_KEYS_DIR (a key file kept outside the data directory) is required in production");
    }
}
