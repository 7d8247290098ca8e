package org.dossier.web;

import org.dossier.DossierApplication;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditTrail;
import org.dossier.audit.AuditUnavailableException;
import org.dossier.demo.DemoAccounts;
import org.dossier.platform.database.EmbeddedPostgresServer;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.TestDataDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node stopped as systemd stops it (the context closed, as on SIGTERM) while clinicians write: the requests under way
 * finish with their answer and their audit entries, the audit writer writes what it was given before it stops, and nothing
 * it acknowledged is missing when the database is opened again. The node logs in JSON ({@code DOSSIER_LOG_FORMAT=json}),
 * each line of a request with its request id. Its own server and cluster: it is shut down.
 */
@ExtendWith(OutputCaptureExtension.class)
class GracefulShutdownTest {

    /** Fewer than the side pool's 4 connections: each write waits holding one, and the audit writer needs one. */
    private static final int WRITERS = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void inFlightRequestsFinishAndTheAuditWriterWritesWhatItHoldsBeforeTheNodeStops(CapturedOutput output) throws Exception {
        Path dataDir = TestDataDirs.fresh("shutdown");
        ConfigurableApplicationContext app = new SpringApplicationBuilder(DossierApplication.class).run(
                "--server.port=0", "--dossier.data-dir=" + dataDir, "--dossier.demo.enabled=true", "--dossier.demo.patients=120",
                "--dossier.demo.clinic-days-behind=1", "--dossier.demo.clinic-days-ahead=1", "--dossier.db.embedded.shared-buffers=64MB",
                "--dossier.guard.threshold-scale=10000", "--DOSSIER_LOG_FORMAT=json",
                "--logging.level.org.springframework.web.servlet.DispatcherServlet=debug");
        boolean closed = false;
        try {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            JdbcClient owner = JdbcClient.create(app.getBean("ownerDataSource", DataSource.class));
            Api anonymous = Api.anonymous(port);
            long patient = new Fixtures(anonymous.as("frontdesk", DemoAccounts.PASSWORD), anonymous.as("admin", DemoAccounts.PASSWORD), owner)
                    .patientInCare();
            String token = Api.fetchToken(port, "nurse", DemoAccounts.PASSWORD);

            // JSON lines, and the request's id on each line the request logs.
            // With the reason a user gives when the guard asks (free text that may name a patient): never in a log line.
            HttpResponse<String> first = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/patients/" + patient
                            + "/observations")).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("X-Request-Id", "json-log-check-1").header("X-Dossier-Reason", "reason-marker Mrs Example asked for it")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"HEART_RATE\",\"value\":71}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
            List<JsonNode> lines = jsonLines(output);
            assertThat(output.getOut()).as("the user's reason stays out of the logs").doesNotContain("reason-marker");
            assertThat(lines).as("every line is JSON").isNotEmpty()
                    .allSatisfy(l -> assertThat(l.has("@timestamp") && l.has("log") && l.has("message")).isTrue());
            assertThat(requestLines(lines, "POST \"/api/patients/" + patient + "/observations\""))
                    .as("the request's own lines (DispatcherServlet at debug), from its start to its answer").hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(l -> assertThat(l.path("requestId").asString("")).isEqualTo("json-log-check-1"));
            // (The servlet's own initialisation, logged on the first request's thread before any filter, is no request's.)
            assertThat(lines).filteredOn(l -> l.path("log").path("logger").asString("").endsWith("DispatcherServlet")
                            && l.path("message").asString("").matches("^((GET|POST|PUT|DELETE|PATCH) \"|Completed \\d).*"))
                    .as("each request's lines carry its id").isNotEmpty().allSatisfy(l -> assertThat(l.path("requestId").asString("")).isNotBlank());

            // Writes held under way by a lock on the guard's table, then the node is told to stop.
            AuditTrail trail = app.getBean(AuditTrail.class);
            ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> refusedAppends = new ConcurrentLinkedQueue<>();
            AtomicBoolean appending = new AtomicBoolean(true);
            List<CompletableFuture<HttpResponse<String>>> writes = new ArrayList<>();
            CompletableFuture<Void> stopped;
            try (Connection lock = app.getBean("ownerDataSource", DataSource.class).getConnection()) {
                lock.setAutoCommit(false);
                try (Statement s = lock.createStatement()) {
                    // The observations' table: a write waits at its insert, before its audit entry is appended. (Not the
                    // guard's table: a patient charged again within the second is not written there again, migration V43.)
                    s.execute("lock table observation in exclusive mode");
                }
                for (int i = 0; i < WRITERS; i++) {
                    String id = "in-flight-" + i;
                    writes.add(CompletableFuture.supplyAsync(() -> write(port, token, patient, id)));
                }
                awaitWaitingOnLock(owner, WRITERS);
                // Meanwhile, appends that are no request's (as a scheduled job's): each is written or refused, never lost.
                List<Thread> appenders = new ArrayList<>();
                for (int a = 0; a < 2; a++) {
                    int caller = a;
                    Thread t = new Thread(() -> {
                        for (int i = 0; appending.get(); i++) {
                            try {
                                acknowledged.add(trail.append(AuditRecord.at(Instant.now()).account(9_000L + caller, "drain-test")
                                        .roles("PHYSICIAN").facility(1).action(AuditAction.READ).resource(AuditResource.Patient, patient)
                                        .patient(patient).decision(AuditRecord.Decision.ALLOW, AuditReason.CARE_TEAM)
                                        .request("drain-" + caller + "-" + i).build()));
                            } catch (AuditUnavailableException e) {
                                refusedAppends.add(e.getMessage());
                                return; // stopped: the trail takes no more
                            }
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                    appenders.add(t);
                }
                stopped = CompletableFuture.runAsync(app::close);
                closed = true;
                Thread.sleep(1_500); // the shutdown is under way, the writes still wait for the lock
                assertThat(writes).as("the writes wait while the node stops").noneMatch(CompletableFuture::isDone);
                assertThat(stopped).as("the node waits for them").isNotDone();
                lock.rollback(); // the lock goes: the writes go on
                for (var w : writes) {
                    HttpResponse<String> r = w.get(30, java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as("an in-flight write finishes: " + r.body()).isEqualTo(201);
                }
                for (Thread t : appenders) {
                    t.join(60_000); // they append until the trail stops and refuses them
                }
                appending.set(false);
            }
            stopped.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(acknowledged).as("appends were acknowledged while the node stopped").isNotEmpty();
            assertThat(refusedAppends).as("once stopped, the trail refuses (and says so) rather than take what it cannot write")
                    .hasSize(2).allSatisfy(m -> assertThat(m).contains("not running"));
            System.out.printf("Graceful shutdown: %d in-flight writes answered 201, %d appends acknowledged, %d refused after the stop%n",
                    WRITERS, acknowledged.size(), refusedAppends.size());

            // The database, opened again: each acknowledged write and append is there, once.
            try (EmbeddedPostgresServer db = EmbeddedPostgresServer.start(dataDir, Map.of("shared_buffers", "64MB"))) {
                JdbcClient jdbc = JdbcClient.create(new org.springframework.jdbc.datasource.DriverManagerDataSource(db.jdbcUrl(), db.user(),
                        db.password()));
                for (int i = 0; i < WRITERS; i++) {
                    assertThat(jdbc.sql("select count(*) from audit_entry where request_id = ?").param("in-flight-" + i)
                            .query(Long.class).single()).as("the audit entry of in-flight write %d", i).isPositive();
                }
                long lastAcknowledged = acknowledged.stream().mapToLong(Long::longValue).max().orElseThrow();
                assertThat(jdbc.sql("select count(*) from audit_entry where seq = any(?)")
                        .param(acknowledged.toArray(Long[]::new)).query(Long.class).single()).isEqualTo(acknowledged.size());
                assertThat(jdbc.sql("select last_seq from audit_head").query(Long.class).single()).isGreaterThanOrEqualTo(lastAcknowledged);
            }
        } finally {
            if (!closed) {
                app.close();
            }
        }
    }

    private static HttpResponse<String> write(int port, String token, long patient, String requestId) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/patients/" + patient + "/observations"))
                    .timeout(Duration.ofSeconds(40))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, application/problem+json")
                    .header("X-Request-Id", requestId)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"HEART_RATE\",\"value\":72}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until that many backends wait on a lock (the writes are under way, held by the test's lock). */
    private static void awaitWaitingOnLock(JdbcClient owner, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long waiting = 0;
        while (System.nanoTime() < deadline) {
            waiting = owner.sql("select count(*) from pg_stat_activity where wait_event_type = 'Lock'").query(Long.class).single();
            if (waiting >= count) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(waiting).as("writes waiting on the lock").isGreaterThanOrEqualTo(count);
    }

    /** The lines of the request whose first line starts so: on its thread, up to its "Completed" line. */
    private static List<JsonNode> requestLines(List<JsonNode> lines, String firstLine) {
        List<JsonNode> mine = new ArrayList<>();
        String thread = null;
        for (JsonNode l : lines) {
            String message = l.path("message").asString("");
            String on = l.path("process").path("thread").path("name").asString("");
            if (thread == null && message.startsWith(firstLine)) {
                thread = on;
            }
            if (thread != null && thread.equals(on)) {
                mine.add(l);
                if (message.startsWith("Completed")) {
                    break;
                }
            }
        }
        return mine;
    }

    private static List<JsonNode> jsonLines(CapturedOutput output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.getOut().split("\n")) {
            if (line.startsWith("{\"@timestamp\"")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
