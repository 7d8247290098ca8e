package org.dossier.bench;

import org.dossier.DossierApplication;
import org.dossier.audit.AuditVerifier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
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
                long java = javaCpuNanos();
                long postgres = postgresCpuNanos();
                AuditVerifier.Report r = verifier.verify();
                java = javaCpuNanos() - java;
                postgres = postgresCpuNanos() - postgres;
                // CPU time per entry, the JVM's and PostgreSQL's: on a shared machine, steadier than the rate.
                System.out.printf("BENCHMARK verification round %d: intact=%s entries=%d millis=%d perSecond=%d"
                                + " cpuMicrosPerEntry: java=%.2f postgres=%.2f%n", round, r.intact(), r.entriesChecked(), r.millis(),
                        r.entriesPerSecond(), java / 1e3 / r.entriesChecked(), postgres / 1e3 / r.entriesChecked());
            }
        }
    }

    static long javaCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** User and system time of the embedded PostgreSQL's processes (the postmaster's children, from /proc), in nanoseconds. */
    static long postgresCpuNanos() {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(DATA_DIR.resolve("postgres/postmaster.pid")).get(0).strip());
            long ticks = 0;
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String stat = Files.readString(proc.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        if (Long.parseLong(f[1]) == postmaster || proc.getFileName().toString().equals(Long.toString(postmaster))) {
                            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                        }
                    } catch (IOException | RuntimeException gone) {
                        // the process ended meanwhile
                    }
                }
            }
            return ticks * 10_000_000L; // USER_HZ = 100
        } catch (IOException e) {
            return 0;
        }
    }
}
