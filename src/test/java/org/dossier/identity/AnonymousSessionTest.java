package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An anonymous request stores no session: a flood of them to protected URLs, static files, the FHIR metadata or the
 * sign-in screens costs the database nothing, and a session row exists only once a password is accepted. The login
 * form's CSRF token is double-submitted (field and cookie) until then, and keeps refusing forged sign-ins.
 */
class AnonymousSessionTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

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

    /** The CSRF token of a screen's forms, as the browser would post it (the hidden field Spring Security adds). */
    private static String formToken(Api.Response page) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).as("a CSRF field in %s", page.body()).isTrue();
        return m.group(1);
    }

    private static List<String> setCookies(Api.Response r) {
        return r.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("set-cookie")).flatMap(e -> e.getValue().stream()).toList();
    }

    @Test
    void theSignInScreensStoreNoSession() {
        long since = System.currentTimeMillis();
        for (int round = 0; round < 10; round++) {
            for (String url : List.of("/signin", "/signin?error", "/signin?ended", "/signin/link?token=6f1c2a3b-unknown")) {
                Api.Response r = new BrowserSession(port).page(url);
                assertThat(r.status()).as(url).isEqualTo(200);
                formToken(r);
                // The form's token is paired with a cookie only this site's pages can send or read.
                assertThat(setCookies(r)).as(url).noneMatch(c -> c.startsWith("DOSSIER_SESSION="))
                        .anySatisfy(c -> assertThat(c).startsWith("DOSSIER_CSRF=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict")
                                .contains("Path=/"));
            }
            BrowserSession client = new BrowserSession(port);
            assertThat(client.get("/api/auth/csrf").status()).isEqualTo(200);
            assertThat(client.sessionCookie()).isNull();
        }
        assertThat(sessionsCreatedSince(since)).as("session rows stored by 50 visits to the sign-in screens").isZero();
    }

    @Test
    void aSignInWithoutTheFormsOwnTokenIsRefusedAndTriesNothing() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long since = System.currentTimeMillis();
        BrowserSession attacker = new BrowserSession(port);
        String attackersToken = formToken(attacker.page("/signin"));
        BrowserSession victim = new BrowserSession(port);
        String victimsToken = formToken(victim.page("/signin"));

        Map<String, String> signIn = Map.of("username", user, "password", DemoAccounts.PASSWORD);
        Map<String, Map<String, String>> forgeries = new java.util.LinkedHashMap<>();
        forgeries.put("no token", signIn);
        forgeries.put("a made-up token", with(signIn, "_csrf", "bm90LWEtdG9rZW4tYXQtYWxs"));
        forgeries.put("the attacker's own valid token", with(signIn, "_csrf", attackersToken));
        for (var forgery : forgeries.entrySet()) {
            Api.Response r = victim.pageForm("/login", forgery.getValue(), false);
            assertThat(r.status()).as(forgery.getKey()).isEqualTo(403);
            assertThat(setCookies(r)).as(forgery.getKey()).noneMatch(c -> c.startsWith("DOSSIER_SESSION="));
        }
        // The right token without its cookie, as a cross-site form would send it (SameSite=Strict withholds the cookie).
        Api.Response cookieless = new BrowserSession(port).pageForm("/login", with(signIn, "_csrf", victimsToken), false);
        assertThat(cookieless.status()).isEqualTo(403);

        assertThat(victim.get("/api/me").status()).isEqualTo(401);
        assertThat(sessionsCreatedSince(since)).as("session rows stored by refused sign-ins").isZero();
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = ?").param(user).query(Long.class).single())
                .as("the password was not even tried: no sign-in, no failure on the account").isZero();

        // The victim's own form, with its own token, signs in.
        Api.Response legitimate = victim.pageForm("/login", with(signIn, "_csrf", victimsToken), false);
        assertThat(legitimate.status()).isEqualTo(302);
        assertThat(legitimate.header("Location")).endsWith("/signin/second-factor");
        assertThat(sessionsCreatedSince(since)).isEqualTo(1);
    }

    /**
     * One sign-in as a browser makes it — the screen, the password, the second-factor screen, the code, the day — stores
     * exactly one session, and each token before a step is spent by it: a token planted before sign-in (fixation) or
     * read between the two steps is worthless afterwards.
     */
    @Test
    void aFullSignInStoresExactlyOneSessionAndRenewsTheTokenAtEachStep() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long since = System.currentTimeMillis();
        BrowserSession browser = new BrowserSession(port);
        String signInToken = formToken(browser.page("/signin"));
        assertThat(sessionsCreatedSince(since)).isZero();

        Api.Response password = browser.pageForm("/login", Map.of("username", user, "password", DemoAccounts.PASSWORD, "_csrf", signInToken), false);
        assertThat(password.header("Location")).endsWith("/signin/second-factor");
        assertThat(setCookies(password)).as("the sign-in screen's cookie is cleared").anyMatch(c -> c.startsWith("DOSSIER_CSRF=;") && c.contains("Expires=Thu, 01 Jan 1970"));
        Api.Response secondFactorPage = browser.page("/signin/second-factor");
        assertThat(secondFactorPage.status()).isEqualTo(200);
        String secondFactorToken = formToken(secondFactorPage);

        // The sign-in screen's token no longer passes: the refused code leaves the person on the second-factor screen.
        Api.Response stale = browser.pageForm("/login/totp", Map.of("code", BrowserSession.code(user, 0), "_csrf", signInToken), false);
        assertThat(stale.header("Location")).endsWith("/signin/second-factor");
        assertThat(browser.get("/api/me").status()).isEqualTo(401);

        Api.Response code = browser.pageForm("/login/totp", Map.of("code", BrowserSession.code(user, 0), "_csrf", secondFactorToken), false);
        assertThat(code.header("Location")).endsWith("/");
        Api.Response day = browser.page("/");
        assertThat(day.status()).isEqualTo(200);
        assertThat(browser.get("/api/me").json().get("username").asString()).isEqualTo(user);

        assertThat(browser.pageForm("/me/language", Map.of("language", "en", "_csrf", secondFactorToken), false).status())
                .as("the token of the half-signed-in session, after the second factor").isEqualTo(403);
        assertThat(browser.pageForm("/me/language", Map.of("language", "en", "_csrf", signInToken), false).status()).isEqualTo(403);
        String dayToken = java.util.regex.Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"").matcher(day.body()).results()
                .map(m -> m.group(1)).findFirst().orElseThrow();
        assertThat(browser.pageForm("/me/language", Map.of("language", "en", "_csrf", dayToken), false).status()).isEqualTo(302);

        assertThat(sessionsCreatedSince(since)).as("session rows stored by one sign-in").isEqualTo(1);
    }

    private static Map<String, String> with(Map<String, String> fields, String name, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(fields);
        all.put(name, value);
        return all;
    }
}
