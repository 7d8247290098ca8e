package org.dossier.support;

import org.dossier.identity.TotpService;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A patient's browser on the portal, over real HTTP: a cookie jar, the CSRF token of the page last shown (the portal keeps
 * it in the session and puts it in each form), and the enrolment and sign-in steps a person goes through.
 */
public final class PortalSession {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern SECRET = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");

    private final int port;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient client;
    private String csrf;
    /** The patient's authenticator secret, once enrolled. */
    private String secret;

    /**
     * How the trail names the patient's current portal account ("patient:portal-account-12"): by its id, never by the
     * username the patient chose (ADR 0058).
     */
    public static String actorOf(org.springframework.jdbc.core.simple.JdbcClient jdbc, long patientId) {
        return "patient:portal-account-" + jdbc.sql("select id from portal_account where patient_id = ? and status <> 'SUPERSEDED'")
                .param(patientId).query(Long.class).single();
    }

    public PortalSession(int port) {
        this.port = port;
        this.client = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String secret() {
        return secret;
    }

    /** Enrols with the desk's code and signs in: password, then a code of the authenticator just added. */
    public static PortalSession enrolled(int port, String code, String birthDate, String username, String password) {
        PortalSession s = new PortalSession(port);
        Api.Response started = s.enrol(code, birthDate, username, password);
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        Matcher m = SECRET.matcher(started.body());
        assertThat(m.find()).as("the authenticator secret is shown: " + started.body()).isTrue();
        s.secret = m.group(1);
        Api.Response confirmed = s.form("/portal/enrol/authenticator", Map.of("code", TotpService.codeAt(s.secret, Instant.now())));
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(302);
        assertThat(confirmed.header("Location")).endsWith("/portal/signin");
        s.signIn(username, password, TotpService.codeAt(s.secret, Instant.now().plusSeconds(30)));
        return s;
    }

    public Api.Response enrol(String code, String birthDate, String username, String password) {
        page("/portal/enrol");
        return form("/portal/enrol", Map.of("code", code, "birthDate", birthDate, "username", username, "password", password));
    }

    /** Both steps; asserts that the patient lands on their record. */
    public void signIn(String username, String password, String code) {
        page("/portal/signin");
        Api.Response first = form("/portal/signin", Map.of("username", username, "password", password));
        assertThat(first.header("Location")).as(first.body()).endsWith("/portal/signin/code");
        page("/portal/signin/code");
        Api.Response second = form("/portal/signin/code", Map.of("code", code));
        assertThat(second.header("Location")).as(second.body()).endsWith("/portal/record");
    }

    /** A GET as a browser navigating (HTML); remembers the page's CSRF token. */
    public Api.Response page(String path) {
        Api.Response r = send(request(path).header("Accept", "text/html").GET());
        Matcher m = CSRF.matcher(r.body() == null ? "" : r.body());
        if (m.find()) {
            csrf = m.group(1);
        }
        return r;
    }

    /** A GET as an API client (JSON). */
    public Api.Response get(String path) {
        return send(request(path).header("Accept", "application/json").GET());
    }

    /** Any method, JSON body, as a script in the patient's browser would send it (with the CSRF token). */
    public Api.Response call(String method, String path, String json) {
        HttpRequest.Builder b = request(path).header("Accept", "application/json").header("Content-Type", "application/json");
        if (csrf != null) {
            b.header("X-CSRF-TOKEN", csrf);
        }
        boolean bodiless = json == null || method.equals("GET") || method.equals("DELETE") || method.equals("HEAD");
        return send(b.method(method, bodiless ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    public Api.Response form(String path, Map<String, String> fields) {
        return form(path, fields.entrySet().stream().toList());
    }

    /** A form posted as a browser posts it, with the CSRF token of the last page (repeated fields allowed). */
    public Api.Response form(String path, List<Map.Entry<String, String>> fields) {
        Map<String, String> none = new LinkedHashMap<>();
        String body = java.util.stream.Stream.concat(fields.stream(), csrf == null ? none.entrySet().stream()
                        : Map.of("_csrf", csrf).entrySet().stream())
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        Api.Response r = send(request(path).header("Accept", "text/html").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        Matcher m = CSRF.matcher(r.body() == null ? "" : r.body());
        if (m.find()) {
            csrf = m.group(1);
        }
        return r;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept-Language", "en");
    }

    /** A download's bytes as they came (a PDF is binary: read as text it would not parse). */
    public byte[] bytes(String path) {
        try {
            HttpResponse<byte[]> r = client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Api.Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Api.Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""), r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
