package org.dossier.platform;

import org.dossier.audit.AuditVerifier;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded PostgreSQL's postmaster is killed ({@code kill -9}) while clinicians write: the server answers 503 with
 * Retry-After meanwhile, says DOWN on its health and readiness (liveness UP, metrics still served), starts the database
 * again by itself, and loses no acknowledged write nor any link of the audit chain. This server has its own cluster (it is
 * killed), and is closed after the class.
 *
 * <p>{@code -Ddossier.recovery.kills=5} kills it that many times and prints the median recovery (BENCHMARKS.md).
 */
@DirtiesContext
@TestPropertySource(properties = {"dossier.demo.patients=120", "dossier.db.pool-size=8"})
class DatabaseRecoveryTest extends IntegrationTest {

    private static final int WRITERS = 4;
    private static final Pattern OBSERVATION_ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Autowired
    DatabaseAvailability availability;
    @Autowired
    AuditVerifier verifier;
    @Value("${dossier.data-dir}")
    Path dataDir;

    /** One write as the client saw it. */
    record Write(String requestId, int status, long startedAt, long millis, String retryAfter, String body) {
    }

    /** One health answer. */
    record Health(long at, int status, long millis) {
    }

    @Test
    void aKilledPostmasterIsRestartedWithNoAcknowledgedWriteLostAndTheChainIntact() throws Exception {
        long patient = fixtures().patientInCare();
        String token = as("nurse").token();
        Write first = write(token, patient, "recovery-baseline");
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        long entriesPerWrite = entries(first.requestId());
        assertThat(entriesPerWrite).as("a write is audited").isPositive();

        int kills = Integer.getInteger("dossier.recovery.kills", 1);
        List<Long> recoveries = new ArrayList<>();
        for (int round = 1; round <= kills; round++) {
            recoveries.add(killUnderLoad(token, patient, round, entriesPerWrite));
        }
        List<Long> sorted = recoveries.stream().sorted().toList();
        System.out.printf("Database recovery after kill -9 of the postmaster, %d round(s): %s ms, median %d ms%n",
                kills, recoveries, sorted.get(sorted.size() / 2));

        AuditVerifier.Report report = verifier.verify();
        assertThat(report.intact()).as(report.problem()).isTrue();
    }

    /** Kills the postmaster under write load; returns the time from the kill until health said UP again. */
    private long killUnderLoad(String token, long patient, int round, long entriesPerWrite) throws Exception {
        ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Health> health = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            threads.add(started(() -> {
                for (int n = 0; !stop.get(); n++) {
                    Write result = write(token, patient, "recovery-" + round + "-" + writer + "-" + n);
                    writes.add(result);
                    if (result.status() == 503) {
                        pause(100);
                    }
                }
            }));
        }
        threads.add(started(() -> {
            while (!stop.get()) {
                health.add(health());
                pause(50);
            }
        }));

        pause(1_500);
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0).strip());
        long killedAt = System.nanoTime();
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();

        long deadline = killedAt + Duration.ofSeconds(30).toNanos();
        Long downAt = null;
        Long upAt = null;
        boolean outageChecked = round != 1;
        while (System.nanoTime() < deadline && upAt == null) {
            pause(20);
            // Health can say DOWN (its own probe failed) a moment before the supervisor has marked the outage; the
            // answers are checked while the server knows of it, and checked again if it ended while they were asked.
            if (!outageChecked && !availability.isUp()) {
                outageChecked = outageAnswers(token, patient);
            }
            for (Health h : health) {
                if (h.at() > killedAt && h.status() == 503 && downAt == null) {
                    downAt = h.at();
                }
                if (downAt != null && h.at() > downAt && h.status() == 200) {
                    upAt = h.at();
                    break;
                }
            }
        }
        pause(1_500); // writes go on after the recovery
        stop.set(true);
        for (Thread t : threads) {
            t.join(15_000);
        }

        assertThat(downAt).as("health said DOWN after the kill").isNotNull();
        assertThat(outageChecked).as("the answers during the outage were checked").isTrue();
        assertThat(upAt).as("health said UP again within 30 s").isNotNull();
        long downMillis = (downAt - killedAt) / 1_000_000;
        long recoveryMillis = (upAt - killedAt) / 1_000_000;
        List<Write> all = new ArrayList<>(writes);
        List<Write> acknowledged = all.stream().filter(w -> w.status() == 201).toList();
        List<Write> refused = all.stream().filter(w -> w.status() == 503).toList();
        long slowestRefusal = refused.stream().mapToLong(Write::millis).max().orElse(0);
        long slowestHealth = health.stream().mapToLong(Health::millis).max().orElse(0);
        System.out.printf("Round %d: DOWN on health %d ms after the kill, UP again after %d ms; %d writes acknowledged, %d answered 503 "
                        + "(slowest %d ms), slowest health answer %d ms%n", round, downMillis, recoveryMillis, acknowledged.size(),
                refused.size(), slowestRefusal, slowestHealth);

        assertThat(all).as("every write is acknowledged or refused with 503").allSatisfy(w ->
                assertThat(w.status()).as(w.toString()).isIn(201, 503));
        assertThat(refused).as("the outage was seen by the writers").isNotEmpty();
        assertThat(refused).as("each 503 says when to try again").allSatisfy(w -> assertThat(w.retryAfter()).isNotNull());
        assertThat(slowestRefusal).as("no request waits on the dead database").isLessThan(1_000);
        assertThat(downMillis).as("health says DOWN within a second").isLessThan(1_000);
        assertThat(health).as("health always answers within a second").allSatisfy(h -> assertThat(h.millis()).isLessThan(1_000));
        assertThat(recoveryMillis).as("back within 15 s").isLessThan(15_000);
        long lastKill = killedAt;
        assertThat(acknowledged).as("writes succeed again after the recovery")
                .anySatisfy(w -> assertThat(w.startedAt()).isGreaterThan(lastKill + (recoveryMillis * 1_000_000)));
        assertThat(availability.isUp()).isTrue();
        assertThat(get("/actuator/health/readiness", null, "application/json").statusCode()).as("back in the load balancer").isEqualTo(200);

        for (Write w : acknowledged) {
            Matcher id = OBSERVATION_ID.matcher(w.body());
            assertThat(id.find()).as(w.body()).isTrue();
            assertThat(countOf("select count(*) from observation where id = " + Long.parseLong(id.group(1))))
                    .as("acknowledged write %s is in the database", w.requestId()).isEqualTo(1);
            assertThat(entries(w.requestId())).as("acknowledged write %s is audited once", w.requestId()).isEqualTo(entriesPerWrite);
        }
        return recoveryMillis;
    }

    /**
     * While the database is down: each kind of client gets a 503 it understands, with Retry-After. False when the
     * outage ended while the questions were asked (nothing can be concluded; the caller asks again).
     */
    private boolean outageAnswers(String token, long patient) throws Exception {
        HttpResponse<String> api = get("/api/patients/" + patient, token, "application/json");
        HttpResponse<String> fhir = get("/fhir/Patient/" + patient, token, "application/fhir+json");
        HttpResponse<String> page = get("/patients/" + patient, null, "text/html,application/xhtml+xml");
        HttpResponse<String> readiness = get("/actuator/health/readiness", null, "application/json");
        HttpResponse<String> liveness = get("/actuator/health/liveness", null, "application/json");
        HttpResponse<String> metrics = get("/actuator/prometheus", METRICS_TOKEN, "text/plain");
        if (availability.isUp()) {
            return false;
        }
        // A load balancer takes the node out (readiness DOWN); nothing restarts it (liveness UP): it recovers alone.
        assertThat(readiness.statusCode()).as("readiness: " + readiness.body()).isEqualTo(503);
        assertThat(readiness.body()).contains("DOWN");
        assertThat(liveness.statusCode()).as("liveness: " + liveness.body()).isEqualTo(200);
        assertThat(liveness.body()).contains("UP");
        // The metrics answer during the outage, when they matter most (they need no database).
        assertThat(metrics.statusCode()).as("metrics: " + metrics.body()).isEqualTo(200);
        assertThat(metrics.body()).contains("hikaricp_connections_active{pool=\"dossier\"}").contains("dossier_database_available 0.0");
        for (HttpResponse<String> r : List.of(api, fhir, page)) {
            assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).as(r.uri().toString()).isPresent();
        }
        assertThat(api.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(api.body()).contains("database-unavailable").contains("retryAfterSeconds");
        assertThat(fhir.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+json");
        assertThat(fhir.body()).contains("OperationOutcome").contains("transient");
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<h1>").contains("database");
        return true;
    }

    private HttpResponse<String> get(String path, String token, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(5))
                .header("Accept", accept).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Write write(String token, long patient, String requestId) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/patients/" + patient + "/observations"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, application/problem+json")
                    .header("X-Request-Id", requestId)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"HEART_RATE\",\"value\":" + (60 + Math.abs(requestId.hashCode() % 40)) + "}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Write(requestId, r.statusCode(), start, (System.nanoTime() - start) / 1_000_000,
                    r.headers().firstValue("Retry-After").orElse(null), r.body());
        } catch (java.io.IOException e) {
            return new Write(requestId, -1, start, (System.nanoTime() - start) / 1_000_000, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Write(requestId, -2, start, 0, null, "interrupted");
        }
    }

    private Health health() {
        long start = System.nanoTime();
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return new Health(start, r.statusCode(), (System.nanoTime() - start) / 1_000_000);
        } catch (java.io.IOException e) {
            return new Health(start, -1, (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Health(start, -2, 0);
        }
    }

    private long entries(String requestId) {
        return jdbc.sql("select count(*) from audit_entry where request_id = ?").param(requestId).query(Long.class).single();
    }

    private long countOf(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    private static Thread started(Runnable work) {
        Thread t = new Thread(work);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
