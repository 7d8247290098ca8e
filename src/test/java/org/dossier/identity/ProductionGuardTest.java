package org.dossier.identity;

import org.dossier.DossierApplication;
import org.dossier.support.TestDataDirs;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A production server refuses the demo accounts, and needs its own secret key. */
class ProductionGuardTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String AUDIT_KEY = org.dossier.audit.AuditSigner.newKeyMaterial();
    /** The key file that wraps the data keys, given outside the data directory (an HSM is the other way, Pkcs11KekTest). */
    private static final String KEYS = "--dossier.keys.dir=" + TestDataDirs.fresh("prod-keys");

    @Test
    void productionRefusesToStartWithTheDemoHospital() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0",
                "--dossier.data-dir=" + TestDataDirs.fresh("prod-demo"), "--dossier.profile=production", "--dossier.secret-key=" + KEY,
                "--dossier.audit.signing-key=" + AUDIT_KEY, KEYS,
                "--dossier.demo.enabled=true", "--dossier.db.embedded.shared-buffers=32MB").close())
                .hasStackTraceContaining("DOSSIER_DEMO=false");
    }

    @Test
    void productionRefusesADatabaseThatHoldsDemoAccounts() {
        String dataDir = TestDataDirs.fresh("prod-demo-db").toString();
        new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0", "--dossier.data-dir=" + dataDir,
                "--dossier.demo.patients=20", "--dossier.demo.clinic-days-behind=0", "--dossier.demo.clinic-days-ahead=0",
                "--dossier.db.embedded.shared-buffers=32MB").close();
        assertThatThrownBy(() -> new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0", "--dossier.data-dir=" + dataDir,
                "--dossier.profile=production", "--dossier.secret-key=" + KEY, "--dossier.audit.signing-key=" + AUDIT_KEY, KEYS,
                "--dossier.demo.enabled=false", "--dossier.db.embedded.shared-buffers=32MB").close())
                .hasStackTraceContaining("holds demo accounts");
    }

    @Test
    void productionNeedsItsSecretKeyAndStartsCleanWithoutDemo() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0",
                "--dossier.data-dir=" + TestDataDirs.fresh("prod-nokey"), "--dossier.profile=production", "--dossier.demo.enabled=false",
                "--dossier.audit.signing-key=" + AUDIT_KEY, KEYS,
                "--dossier.db.embedded.shared-buffers=32MB").close())
                .hasStackTraceContaining("DOSSIER_SECRET_KEY");
        assertThatThrownBy(() -> new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0",
                "--dossier.data-dir=" + TestDataDirs.fresh("prod-nokek"), "--dossier.profile=production", "--dossier.demo.enabled=false",
                "--dossier.secret-key=" + KEY, "--dossier.audit.signing-key=" + AUDIT_KEY,
                "--dossier.db.embedded.shared-buffers=32MB").close())
                .hasStackTraceContaining("DOSSIER_KEYS_PKCS11_CONFIG (the HSM holding the key that wraps the data keys");
        var app = new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0",
                "--dossier.data-dir=" + TestDataDirs.fresh("prod-clean"), "--dossier.profile=production", "--dossier.secret-key=" + KEY,
                "--dossier.audit.signing-key=" + AUDIT_KEY, KEYS,
                "--dossier.demo.enabled=false", "--dossier.db.embedded.shared-buffers=32MB");
        assertThat(app.isActive()).isTrue();
        app.close();
    }
}
