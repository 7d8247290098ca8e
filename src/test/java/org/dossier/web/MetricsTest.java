package org.dossier.web;

import org.dossier.support.Api;
import org.dossier.support.GuardedServerTest;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/prometheus}: refused without the scrape token (or with a wrong one, or a user's API token), served with
 * it; and what it serves moves with the server's work — requests per endpoint group, the pools, the guard's decisions and
 * freezes, the audit writer — with no patient in any series. On the guarded server (real thresholds), so a freeze happens.
 */
class MetricsTest extends GuardedServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theMetricsAnswerOnlyToTheScrapeToken() throws Exception {
        HttpResponse<String> none = scrape(null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"metrics\"");
        assertThat(none.body()).doesNotContain("dossier_");
        assertThat(scrape("wrong-" + IntegrationTest.METRICS_TOKEN).statusCode()).isEqualTo(401);
        assertThat(scrape(IntegrationTest.METRICS_TOKEN.substring(1)).statusCode()).isEqualTo(401);
        String userToken = as("security").token();
        assertThat(scrape(userToken).statusCode()).as("a user's API token is not the scrape token").isEqualTo(401);
        for (String variant : new String[]{"/actuator/prometheus/", "/actuator/prometheus?format=text", "/ACTUATOR/prometheus"}) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + variant))
                    .header("Authorization", "Bearer " + userToken).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("a user's API token on %s", variant).isNotEqualTo(200);
            assertThat(r.body()).as(variant).doesNotContain("dossier_http_requests");
        }
        HttpResponse<String> session = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                .header("Cookie", "DOSSIER_SESSION=whatever").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(session.statusCode()).isEqualTo(401);

        HttpResponse<String> ok = scrape(IntegrationTest.METRICS_TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(ok.headers().firstValue("Set-Cookie")).as("a scrape opens no session").isEmpty();
        assertThat(ok.body()).contains("dossier_http_requests_seconds_count", "hikaricp_connections_active", "jvm_memory_used_bytes");
        // Still public: the load balancer's checks.
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void requestsAreCountedPerEndpointGroupWithNoPatientInAnySeries() throws Exception {
        long patient = fixtures().patientInCare();
        String before = scrape(IntegrationTest.METRICS_TOKEN).body();
        Api nurse = as("nurse");
        for (int i = 0; i < 3; i++) {
            assertThat(nurse.get("/api/patients/" + patient + "/chart").status()).isEqualTo(200);
        }
        assertThat(nurse.get("/fhir/Patient/" + patient).status()).isEqualTo(200);
        assertThat(anonymous().get("/api/patients/" + patient).status()).isEqualTo(401);
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/signin")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        String after = scrape(IntegrationTest.METRICS_TOKEN).body();

        String api2xx = "dossier_http_requests_seconds_count";
        assertThat(value(after, api2xx, Map.of("group", "api", "outcome", "2xx")) - value(before, api2xx, Map.of("group", "api", "outcome", "2xx")))
                .as("the three chart reads (and the token requests of the support client, if any)").isGreaterThanOrEqualTo(3);
        assertThat(value(after, api2xx, Map.of("group", "api", "outcome", "4xx")) - value(before, api2xx, Map.of("group", "api", "outcome", "4xx")))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(after, api2xx, Map.of("group", "fhir", "outcome", "2xx")) - value(before, api2xx, Map.of("group", "fhir", "outcome", "2xx")))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(after, api2xx, Map.of("group", "pages", "outcome", "2xx")) - value(before, api2xx, Map.of("group", "pages", "outcome", "2xx")))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(after, "dossier_http_requests_seconds_bucket", Map.of("group", "api", "outcome", "2xx", "le", "+Inf")))
                .as("a latency histogram").isPositive();
        assertThat(value(after, "dossier_guard_decisions_total", Map.of("check", "open", "response", "allow")))
                .as("the chart reads were charged and allowed").isGreaterThanOrEqualTo(3);

        // The pools, the main one and those Spring Boot does not see as data sources.
        for (String pool : new String[]{"dossier", "dossier-side", "dossier-accounts"}) {
            assertThat(value(after, "hikaricp_connections_max", Map.of("pool", pool))).as(pool).isPositive();
        }
        assertThat(value(after, "hikaricp_connections_acquire_seconds_count", Map.of("pool", "dossier"))).isPositive();

        assertThat(value(after, "dossier_database_available", Map.of())).isEqualTo(1);
        assertThat(value(after, "dossier_database_outage_seconds", Map.of())).isZero();

        // The audit writer: it wrote just now, is intact, and nothing waits.
        assertThat(value(after, "dossier_audit_chain_intact", Map.of())).isEqualTo(1);
        assertThat(value(after, "dossier_audit_chain_head_age_seconds", Map.of())).isBetween(0.0, 30.0);
        assertThat(value(after, "dossier_audit_append_lag_seconds", Map.of())).isBetween(0.0, 5.0);
        assertThat(value(after, "dossier_audit_checkpoint_age_seconds", Map.of())).isBetween(0.0, 120.0);
        assertThat(value(after, "dossier_audit_append_seconds_count", Map.of())).isGreaterThan(value(before, "dossier_audit_append_seconds_count", Map.of()));

        // Low cardinality: no series carries a patient's id or a path.
        assertThat(after).doesNotContain("/patients/").doesNotContain("uri=");
        assertThat(after.lines().filter(l -> l.startsWith("dossier_http_requests_seconds_count")).count())
                .as("5 groups x 5 status classes").isEqualTo(25);
    }

    @Test
    void aFreezeIsCountedWithItsSignal() throws Exception {
        String family = "Metrique" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "x");
        long canary = as("frontdesk").post("/api/patients", PatientJson.reviewed(1,
                PatientJson.provisional(family, "Albane", "1961-02-03", "F"))).json().get("id").asLong();
        assertThat(as("security").post("/api/guard/canaries", Map.of("patientId", canary)).status()).isEqualTo(204);
        String before = scrape(IntegrationTest.METRICS_TOKEN).body();

        String desk = newAccount("FRONT_DESK", null);
        Api.Response search = stolen(desk).get("/api/patients?name=" + family + "&given=alb");
        assertThat(search.status()).isEqualTo(403);
        assertThat(status(desk)).isEqualTo("FROZEN");

        String after = scrape(IntegrationTest.METRICS_TOKEN).body();
        assertThat(value(after, "dossier_guard_freezes_total", Map.of("signal", "canary"))
                - value(before, "dossier_guard_freezes_total", Map.of("signal", "canary"))).isEqualTo(1);
        assertThat(value(after, "dossier_guard_decisions_total", Map.of("check", "search", "response", "freeze", "signal", "canary"))
                - value(before, "dossier_guard_decisions_total", Map.of("check", "search", "response", "freeze", "signal", "canary")))
                .isEqualTo(1);
        assertThat(after).doesNotContain(desk).doesNotContain(Long.toString(canary) + "\"");
    }

    private HttpResponse<String> scrape(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus")).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the series with these labels (among others), 0 when there is none yet (a counter not yet made). */
    static double value(String scrape, String name, Map<String, String> labels) {
        OptionalDouble v = scrape.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> labels.entrySet().stream().allMatch(e -> l.contains(e.getKey() + "=\"" + e.getValue() + "\"")))
                .mapToDouble(l -> {
                    String[] parts = l.trim().split(" ");
                    return Double.parseDouble(parts[parts.length - 1]);
                })
                .reduce(Double::sum);
        return v.orElse(0);
    }
}
