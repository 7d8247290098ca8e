package org.dossier.bench;

import org.dossier.DossierApplication;
import org.dossier.care.CareRelationships;
import org.dossier.chart.ChartService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * In-process measurements of the hot paths against a generated demo hospital (see bench/run.sh): the
 * relationship lookup and the chart summary. Not part of the test suite: it runs only with -Dgroups=benchmark.
 */
@Tag("benchmark")
class InProcessBenchmark {

    private static final Path DATA_DIR = Path.of(System.getProperty("bench.dataDir", "data-1000000")).toAbsolutePath();
    private static final Path RESULTS = Path.of(System.getProperty("bench.results", "target/bench")).toAbsolutePath();

    @Test
    void measure() throws Exception {
        // The guard counts every read in full, its thresholds scaled as bench/http.sh scales them: at its real ones it stops
        // the guarded chart reads below (thousands of records a minute per account) with a step-up, as it should.
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DossierApplication.class)
                .run("--dossier.data-dir=" + DATA_DIR, "--dossier.demo.enabled=false", "--spring.main.web-application-type=none",
                        "--dossier.db.embedded.shared-buffers=1GB", "--logging.level.root=warn", "--dossier.guard.threshold-scale=10000")) {
            // Set-up queries as the owner (past the facility wall); the measured calls run as the application, scoped.
            JdbcClient jdbc = JdbcClient.create(app.getBean("ownerDataSource", javax.sql.DataSource.class));
            org.dossier.platform.FacilityScope.set(jdbc.sql("select id from facility").query(Integer.class).list());
            CareRelationships relationships = app.getBean(CareRelationships.class);
            ChartService charts = app.getBean(ChartService.class);
            OrganizationService organization = app.getBean(OrganizationService.class);
            long patients = jdbc.sql("select count(*) from patient").query(Long.class).single();
            // At start the writer checks the chain since the last checkpoint it witnessed before it appends anything (after
            // a load by an earlier run, millions of entries): the measured appends must not wait for it.
            firstCheckpoint(app, "at start");

            // Related pairs: a current inpatient and a nurse of its unit. Unrelated: a random patient and the same nurses.
            List<long[]> related = jdbc.sql("""
                            select m.patient_id, su.staff_id, m.unit_id from stay_movement m
                              join staff_unit su on su.unit_id = m.unit_id join staff_role r on r.staff_id = su.staff_id and r.role = 'NURSE'
                             where m.to_at is null order by m.patient_id, su.staff_id limit 5000""")
                    .query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)}).list();
            SplittableRandom random = new SplittableRandom(42);
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("patients", patients);
            results.put("measuredAt", Instant.now().toString());

            Instant now = Instant.now();
            results.put("relationshipLookupRelated", time(20_000, 5_000, i -> {
                long[] pair = related.get(i % related.size());
                if (relationships.between(pair[1], List.of((int) pair[2]), pair[0], now).isEmpty()) {
                    throw new IllegalStateException("expected a relationship for " + Arrays.toString(pair));
                }
            }));
            results.put("relationshipLookupUnrelated", time(20_000, 5_000, i -> {
                long[] pair = related.get(i % related.size());
                relationships.between(pair[1], List.of((int) pair[2]), 1 + random.nextLong(patients), now);
            }));

            // Chart summaries read by the attending physicians of current inpatients.
            List<long[]> charted = jdbc.sql("select s.patient_id, s.attending_id from stay s where s.status = 'ACTIVE' order by s.id limit 500")
                    .query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2)}).list();
            Map<Long, Actor> actors = new LinkedHashMap<>();
            for (long[] c : charted) {
                actors.computeIfAbsent(c[1], id -> actor(organization.staffMember(id)));
            }
            // The same reads under a decision taken once (no gateway, no audit), then with both, alternating runs to share the noise.
            org.dossier.access.AccessGateway gateway = app.getBean(org.dossier.access.AccessGateway.class);
            Map<Long, org.dossier.access.PatientAccess> decided = new LinkedHashMap<>();
            for (long[] c : charted) {
                decided.put(c[0], gateway.openChart(actors.get(c[1]), c[0]));
            }
            // A token's actor goes through the guard too; the server's own (SYSTEM) actor skips it.
            Map<Long, Actor> guarded = new LinkedHashMap<>();
            actors.forEach((id, a) -> guarded.put(id, new Actor(a.staffId(), a.username(), a.roles(), a.facilityIds(), a.unitIds(),
                    "token:bench-" + id, "127.0.0.1", "benchmark", Actor.Channel.TOKEN, null)));
            List<Map<String, Object>> withGateway = new ArrayList<>();
            List<Map<String, Object>> withoutGateway = new ArrayList<>();
            List<Map<String, Object>> withGuard = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                withoutGateway.add(time(3_000, 500, i -> charts.summary(decided.get(charted.get(i % charted.size())[0]))));
                withGateway.add(time(3_000, 500, i -> {
                    long[] c = charted.get(i % charted.size());
                    charts.summary(actors.get(c[1]), c[0]);
                }));
                withGuard.add(time(3_000, 500, i -> {
                    long[] c = charted.get(i % charted.size());
                    charts.summary(guarded.get(c[1]), c[0]);
                }));
            }
            results.put("chartSummaryWithGatewayAuditAndGuard", medianOf(withGuard));
            results.put("chartSummaryWithGatewayAndAudit", medianOf(withGateway));
            results.put("chartSummaryWithoutGateway", medianOf(withoutGateway));
            results.put("auditEntriesDuringChartReads", jdbc.sql("select count(*) from audit_entry").query(Long.class).single());
            // The security officer's exposure report on a trail of ten million entries (loaded once, synthetic but chained).
            long auditTarget = Long.getLong("bench.auditEntries", 10_000_000L);
            long existing = jdbc.sql("select count(*) from audit_entry").query(Long.class).single();
            if (existing < auditTarget) {
                List<org.dossier.audit.bulk.AuditHistoryLoader.Reader> readers = jdbc.sql("""
                                select s.id, s.username, string_agg(r.role, ',' order by r.role) as roles, min(sf.facility_id) as facility,
                                       (select min(id) from patient p where p.facility_id = min(sf.facility_id)) as first_patient,
                                       (select max(id) from patient p where p.facility_id = min(sf.facility_id)) as last_patient
                                  from staff s join staff_role r on r.staff_id = s.id join staff_facility sf on sf.staff_id = s.id
                                 where r.role in ('PHYSICIAN', 'NURSE') group by s.id, s.username order by s.id""")
                        .query((rs, n) -> new org.dossier.audit.bulk.AuditHistoryLoader.Reader(rs.getLong(1), rs.getString(2), rs.getString(3),
                                rs.getInt(4), rs.getLong(5), rs.getLong(6))).list();
                long loadStart = System.nanoTime();
                long loaded = app.getBean(org.dossier.audit.bulk.AuditHistoryLoader.class)
                        .load(auditTarget - existing, readers, java.time.Duration.ofDays(30), 7);
                System.out.println("BENCHMARK loaded " + loaded + " audit entries in " + (System.nanoTime() - loadStart) / 1_000_000 + " ms");
                // The writer checks the chain from its last checkpoint before it signs the next, on its own thread: the
                // first check after a load covers all of it, and appends made meanwhile would wait for it (and time out
                // at 10 s).
                firstCheckpoint(app, "after the load");
            }
            long auditEntries = jdbc.sql("select count(*) from audit_entry").query(Long.class).single();
            Actor officer = actor(organization.staffByUsername("security").orElseThrow());
            org.dossier.audit.AuditReports reports = app.getBean(org.dossier.audit.AuditReports.class);
            long heavyActor = jdbc.sql("""
                    select actor_id from audit_entry where recorded_at > now() - interval '31 days' and request_id like 'history-%'
                     group by actor_id order by count(*) desc limit 1""").query(Long.class).single();
            long typicalActor = jdbc.sql("""
                    select actor_id from audit_entry where recorded_at > now() - interval '31 days' and request_id like 'history-%'
                     group by actor_id order by count(*) limit 1 offset 100""").query(Long.class).single();
            Instant windowEnd = Instant.now().plusSeconds(60);
            Instant windowStart = windowEnd.minus(java.time.Duration.ofDays(31));
            Map<String, Object> exposure = new LinkedHashMap<>();
            exposure.put("auditEntries", auditEntries);
            for (var who : Map.of("heavyAccount", heavyActor, "typicalAccount", typicalActor).entrySet()) {
                int[] patientsShown = new int[1];
                Map<String, Object> timing = time(10, 2, i -> patientsShown[0] = reports.exposure(officer, who.getValue(), windowStart, windowEnd).patients());
                timing.put("patientsInReport", patientsShown[0]);
                timing.put("entriesOfAccount", jdbc.sql("select count(*) from audit_entry where actor_id = ? and recorded_at >= ?")
                        .param(who.getValue()).param(java.sql.Timestamp.from(windowStart)).query(Long.class).single());
                exposure.put(who.getKey(), timing);
            }
            results.put("exposureReport31Days", exposure);

            // The audit trail: append rate under 32 concurrent callers (group commit), then verification rate.
            org.dossier.audit.AuditTrail trail = app.getBean(org.dossier.audit.AuditTrail.class);
            int callers = 32;
            int perCaller = 2_000;
            long appendPerSecond = AuditAppendBenchmark.append(trail, callers, perCaller);
            Map<String, Object> append = new LinkedHashMap<>();
            append.put("entries", callers * perCaller);
            append.put("callers", callers);
            append.put("perSecond", appendPerSecond);
            results.put("auditAppend", append);
            org.dossier.audit.AuditVerifier.Report report = app.getBean(org.dossier.audit.AuditVerifier.class).verify();
            Map<String, Object> verification = new LinkedHashMap<>();
            verification.put("intact", report.intact());
            verification.put("entries", report.entriesChecked());
            verification.put("millis", report.millis());
            verification.put("perSecond", report.entriesPerSecond());
            results.put("auditVerification", verification);

            Files.createDirectories(RESULTS);
            String json = toJson(results);
            Files.writeString(RESULTS.resolve("in-process.json"), json);
            System.out.println("BENCHMARK " + json);
        }
    }

    /** The run with the median median, so that one noisy round does not decide. */
    private static Map<String, Object> medianOf(List<Map<String, Object>> runs) {
        List<Map<String, Object>> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(m -> (double) m.get("medianMicros")));
        Map<String, Object> m = new LinkedHashMap<>(sorted.get(sorted.size() / 2));
        m.put("medianMicrosOfEachRound", runs.stream().map(r -> r.get("medianMicros")).toList());
        return m;
    }

    private static Actor actor(StaffMember m) {
        return Actor.of(m, null, "127.0.0.1", "benchmark", Actor.Channel.SYSTEM, null);
    }

    interface Step {
        void run(int i);
    }

    /** Median, 99th percentile and mean in microseconds, after a warm-up that is not counted. */
    private static Map<String, Object> time(int iterations, int warmup, Step step) {
        for (int i = 0; i < warmup; i++) {
            step.run(i);
        }
        long[] nanos = new long[iterations];
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            step.run(i);
            nanos[i] = System.nanoTime() - t;
        }
        long total = System.nanoTime() - start;
        Arrays.sort(nanos);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iterations", iterations);
        m.put("medianMicros", nanos[iterations / 2] / 1000.0);
        m.put("p99Micros", nanos[(int) (iterations * 0.99)] / 1000.0);
        m.put("perSecond", Math.round(iterations / (total / 1e9)));
        return m;
    }

    private static String toJson(Map<String, Object> map) {
        List<String> parts = new ArrayList<>();
        map.forEach((k, v) -> parts.add("\"" + k + "\": " + (v instanceof Map<?, ?> m ? toJson(castMap(m)) : v instanceof String s ? "\"" + s + "\"" : v)));
        return "{" + String.join(", ", parts) + "}";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** Signs a checkpoint now, after the writer's check of the chain since its last one; prints how long that took. */
    private static void firstCheckpoint(ConfigurableApplicationContext app, String when) {
        long start = System.nanoTime();
        var checkpoint = app.getBean(org.dossier.audit.AuditTrail.class).checkpointNow();
        System.out.println("BENCHMARK checkpoint " + when + ": " + checkpoint + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        if (checkpoint == null || !checkpoint.signed()) {
            throw new IllegalStateException("the audit chain does not verify " + when + ": " + (checkpoint == null ? "no writer" : checkpoint.problem()));
        }
    }
}
