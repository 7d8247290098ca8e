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

    @Test
    void productionRefusesToStartWithTheDemoHospital() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0",
                "--dossier.data-dir=" + TestDataDirs.fresh("prod-demo"), "--dossier.profile=production", "--dossier.secret-key=" + KEY,
                "--dossier.audit.signing-key=" + AUDIT_KEY,
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
                "--dossier.profile=production", "--dossier.secret-key=" + KEY, "--dossier.audit.signing-key=" + AUDIT_KEY,
                "--dossier.demo.enabled=false", "--dossier.db.embedded.shared-buffers=32MB").close())
                .hasStackTraceContaining("holds demo accounts");
    }

    @Test
    void productionNeedsItsSecretKeyAndStartsCleanWithoutDemo() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0",
                "--dossier.data-dir=" + TestDataDirs.fresh("prod-nokey"), "--dossier.profile=production", "--dossier.demo.enabled=false",
                "--dossier.audit.signing-key=" + AUDIT_KEY,
                "--dossier.db.embedded.shared-buffers=32MB").close())
                .hasStackTraceContaining("DOSSIER_SECRET_KEY");
        var app = new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0",
                "--dossier.data-dir=" + TestDataDirs.fresh("prod-clean"), "--dossier.profile=production", "--dossier.secret-key=" + KEY,
                "--dossier.audit.signing-key=" + AUDIT_KEY,
                "--dossier.demo.enabled=false", "--dossier.db.embedded.shared-buffers=32MB");
        assertThat(app.isActive()).isTrue();
        app.close();
    }
}
