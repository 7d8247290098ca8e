package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An anonymous request stores no session: a flood of them to protected URLs, static files or the FHIR metadata costs
 * the database nothing, and a session row exists only once someone starts to sign in.
 */
class AnonymousSessionTest extends IntegrationTest {

    /** Sessions created since {@code since} (counting from a time, so that the expiry sweep cannot skew the count). */
    private long sessionsCreatedSince(long since) {
        return jdbc.sql("select count(*) from spring_session where creation_time >= ?").param(since).query(Long.class).single();
    }

    /** A screen's form posted with no session and no token, as a forged cross-site form would be. */
    private int postForm(String path, String body) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Accept", "text/html").header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anonymousRequestsToProtectedUrlsStoreNoSession() {
        List<String> apiUrls = List.of("/api/me", "/api/patients?name=martin&given=cl", "/api/inpatients?unitId=1", "/fhir/Patient?name=martin",
                "/fhir/metadata", "/css/dossier.css", "/js/dossier.js", "/actuator/health", "/api/auth/status");
        List<String> pages = List.of("/", "/patients", "/admin", "/security", "/signin/second-factor", "/me/sessions");
        long since = System.currentTimeMillis();
        int answers = 0;
        for (int round = 0; round < 10; round++) {
            for (String url : apiUrls) {
                BrowserSession fresh = new BrowserSession(port);
                assertThat(fresh.get(url).status()).as(url).isIn(200, 401, 404);
                answers++;
            }
            for (String url : pages) {
                Api.Response r = new BrowserSession(port).page(url);
                assertThat(r.status()).as(url).isIn(302, 303);
                assertThat(r.header("Location")).as(url).contains("/signin");
                answers++;
            }
            // A state-changing request without a session (and so without a CSRF token) is refused and stores nothing either.
            BrowserSession fresh = new BrowserSession(port);
            assertThat(fresh.postWithoutCsrf("/api/patients", Map.of()).status()).isIn(401, 403);
            assertThat(postForm("/patients", "birthFamilyName=X")).isIn(302, 303, 403);
            answers += 2;
        }
        assertThat(answers).isEqualTo(170);
        assertThat(sessionsCreatedSince(since)).as("session rows stored by %d anonymous requests", answers).isZero();
    }

    @Test
    void theSignInScreenIsWhereASessionBegins() {
        long since = System.currentTimeMillis();
        BrowserSession browser = new BrowserSession(port);
        assertThat(browser.page("/signin").status()).isEqualTo(200);
        assertThat(sessionsCreatedSince(since)).as("the sign-in form's CSRF token needs a session").isEqualTo(1);
    }

    @Test
    void signingInStillWorksWithItsCsrfToken() {
        BrowserSession browser = BrowserSession.signedIn(port, "nurse");
        assertThat(browser.get("/api/me").json().get("username").asString()).isEqualTo("nurse");

        // The login form keeps its CSRF protection: a sign-in posted without the token is refused.
        BrowserSession forged = new BrowserSession(port);
        forged.page("/signin");
        Api.Response withoutToken = forged.pageForm("/login", Map.of("username", "nurse", "password", DemoAccounts.PASSWORD), false);
        assertThat(withoutToken.status()).isIn(302, 403);
        if (withoutToken.status() == 302) {
            assertThat(withoutToken.header("Location")).doesNotEndWith("/signin/second-factor");
        }
        assertThat(forged.get("/api/me").status()).isEqualTo(401);
    }
}
