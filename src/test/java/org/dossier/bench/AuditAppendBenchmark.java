package org.dossier.bench;

import org.dossier.DossierApplication;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditTrail;
import org.dossier.audit.AuditVerifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The audit trail's append rate alone, as {@link InProcessBenchmark} measures it (32 callers, each appending one entry
 * at a time and waiting for it to be durable), five rounds after one of warm-up, then one verification of the whole
 * chain. For working on the writer without the whole in-process run (bench/run.sh has it).
 */
@Tag("benchmark")
class AuditAppendBenchmark {

    private static final Path DATA_DIR = Path.of(System.getProperty("bench.dataDir", "data-1000000")).toAbsolutePath();

    @Test
    void measure() throws Exception {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DossierApplication.class)
                .run("--dossier.data-dir=" + DATA_DIR, "--dossier.demo.enabled=false", "--spring.main.web-application-type=none",
                        "--dossier.db.embedded.shared-buffers=1GB", "--logging.level.root=warn")) {
            AuditTrail trail = app.getBean(AuditTrail.class);
            int rounds = Integer.getInteger("bench.rounds", 5);
            for (int round = 0; round <= rounds; round++) {
                long perSecond = append(trail, 32, 2_000);
                System.out.println("BENCHMARK append round " + round + (round == 0 ? " (warm-up)" : "") + ": " + perSecond + " entries/s");
            }
            AuditVerifier.Report r = app.getBean(AuditVerifier.class).verify();
            System.out.println("BENCHMARK verification: intact=" + r.intact() + " entries=" + r.entriesChecked() + " perSecond="
                    + r.entriesPerSecond() + (r.problem() == null ? "" : " problem=" + r.problem()));
        }
    }

    /** The same load as {@link InProcessBenchmark}'s: {@code callers} threads, {@code perCaller} single-entry appends each. */
    static long append(AuditTrail trail, int callers, int perCaller) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perCaller; i++) {
                    trail.append(new AuditRecord(null, (long) caller, "bench" + caller, "PHYSICIAN", 1, "session:bench", "127.0.0.1",
                            "benchmark", "READ", (long) i, "Patient", Integer.toString(i), "SUMMARY", AuditRecord.Decision.ALLOW,
                            "CURRENT_STAY_IN_UNIT", "TREATMENT", "bench-" + i, null));
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return Math.round(callers * perCaller / ((System.nanoTime() - start) / 1e9));
    }
}
