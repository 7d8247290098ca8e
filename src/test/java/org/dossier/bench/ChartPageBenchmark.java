package org.dossier.bench;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.TestDataDirs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How long the server takes to answer the chart page (every check on: session, gateway, guard, audit, and the
 * Thymeleaf rendering) with the standard demo hospital of 20,000 patients, one request at a time: attending physicians
 * opening their own inpatients' charts, the summary and each clinical tab. Not part of the test suite: bench/run.sh
 * runs it with -Dgroups=benchmark; the figures go to target/bench/chart-page.json and BENCHMARKS.md.
 */
@Tag("benchmark")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "dossier.demo.enabled=true", "dossier.demo.patients=20000", "logging.level.root=warn"})
class ChartPageBenchmark {

    private static final Path RESULTS = Path.of(System.getProperty("bench.results", "target/bench")).toAbsolutePath();
    private static final int WARM_UP = 400, MEASURED = 2000;

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("owner")
    DataSource owner;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        Path dir = TestDataDirs.fresh("chart-page-bench");
        registry.add("dossier.data-dir", dir::toString);
    }

    @Test
    void measure() throws Exception {
        JdbcClient jdbc = JdbcClient.create(owner);
        // Attending physicians of current inpatients, their own patients: the ordinary way into a chart.
        List<Object[]> pairs = jdbc.sql("""
                        select s.username, st.patient_id from stay st join staff s on s.id = st.attending_id
                         where st.status = 'ACTIVE' order by st.attending_id, st.patient_id""")
                .query((rs, n) -> new Object[]{rs.getString(1), rs.getLong(2)}).list();
        Map<String, BrowserSession> sessions = new LinkedHashMap<>();
        List<Object[]> work = new ArrayList<>();
        for (Object[] p : pairs) {
            String username = (String) p[0];
            if (sessions.size() >= 25 && !sessions.containsKey(username)) {
                continue;
            }
            sessions.computeIfAbsent(username, u -> BrowserSession.signedIn(port, u));
            work.add(p);
        }
        String[] tabs = {"summary", "summary", "summary", "notes", "allergies", "prescriptions", "observations"};
        Map<String, List<Long>> timings = new LinkedHashMap<>();
        for (int i = 0; i < WARM_UP + MEASURED; i++) {
            Object[] p = work.get(i % work.size());
            String tab = tabs[i % tabs.length];
            long start = System.nanoTime();
            Api.Response r = sessions.get((String) p[0]).page("/patients/" + p[1] + "?tab=" + tab);
            long micros = (System.nanoTime() - start) / 1000;
            if (r.status() != 200) {
                throw new IllegalStateException(tab + " of " + p[1] + " for " + p[0] + ": " + r.status());
            }
            if (i >= WARM_UP) {
                timings.computeIfAbsent(tab, t -> new ArrayList<>()).add(micros);
                timings.computeIfAbsent("all", t -> new ArrayList<>()).add(micros);
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("measuredAt", Instant.now().toString());
        results.put("patients", jdbc.sql("select count(*) from patient").query(Long.class).single());
        results.put("physicians", sessions.size());
        results.put("charts", work.size());
        results.put("requests", MEASURED);
        timings.forEach((tab, list) -> results.put(tab, summary(list)));
        Files.createDirectories(RESULTS);
        String json = Api.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(results);
        Files.writeString(RESULTS.resolve("chart-page.json"), json);
        System.out.println("BENCHMARK chart page " + json);
    }

    private static Map<String, Object> summary(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        sorted.sort(Long::compare);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("count", sorted.size());
        s.put("medianMillis", sorted.get(sorted.size() / 2) / 1000.0);
        s.put("p95Millis", sorted.get((int) (sorted.size() * 0.95)) / 1000.0);
        s.put("p99Millis", sorted.get((int) (sorted.size() * 0.99)) / 1000.0);
        s.put("maxMillis", sorted.get(sorted.size() - 1) / 1000.0);
        return s;
    }
}
