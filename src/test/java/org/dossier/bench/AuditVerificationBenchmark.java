package org.dossier.bench;

import org.dossier.DossierApplication;
import org.dossier.audit.AuditVerifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;

/**
 * The audit chain's verification alone, on the generated hospital (10 M entries), three times: the first warms the
 * JVM and the database cache. For working on the verifier without the whole in-process run (bench/run.sh has it).
 */
@Tag("benchmark")
class AuditVerificationBenchmark {

    private static final Path DATA_DIR = Path.of(System.getProperty("bench.dataDir", "data-1000000")).toAbsolutePath();

    @Test
    void measure() {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DossierApplication.class)
                .run("--dossier.data-dir=" + DATA_DIR, "--dossier.demo.enabled=false", "--spring.main.web-application-type=none",
                        "--dossier.db.embedded.shared-buffers=1GB", "--logging.level.root=warn")) {
            AuditVerifier verifier = app.getBean(AuditVerifier.class);
            for (int round = 1; round <= 3; round++) {
                AuditVerifier.Report r = verifier.verify();
                System.out.println("BENCHMARK verification round " + round + ": intact=" + r.intact() + " entries=" + r.entriesChecked()
                        + " millis=" + r.millis() + " perSecond=" + r.entriesPerSecond());
            }
        }
    }
}
