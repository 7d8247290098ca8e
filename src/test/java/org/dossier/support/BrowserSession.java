package org.dossier.support;

import org.dossier.demo.DemoAccounts;
import org.dossier.identity.TotpService;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/** A browser-like client: a cookie jar, the session's CSRF token, and the interactive sign-in steps. */
public final class BrowserSession {

    private final int port;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient client;
    private String csrfHeader = "X-CSRF-TOKEN";
    private String csrfToken;

    public BrowserSession(int port) {
        this.port = port;
        this.client = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Password, then the current authenticator code of a demo account. */
    public static BrowserSession signedIn(int port, String username) {
        BrowserSession s = new BrowserSession(port);
        Api.Response first = s.login(username, DemoAccounts.PASSWORD);
        if (first.status() != 200) {
            throw new IllegalStateException("password step failed: " + first);
        }
        // A demo account's code of a time step is accepted once, and a wrong code counts toward its lockout: take a step no
        // other sign-in of this run used on this server.
        for (int attempt = 0; attempt < 3; attempt++) {
            Api.Response second = s.form("/login/totp", Map.of("code", TotpSteps.next(s.port, username)));
            if (second.status() == 200 && "SIGNED_IN".equals(second.json().get("status").asString())) {
                return s;
            }
        }
        throw new IllegalStateException("second factor failed for " + username);
    }

    public static String code(String username, int secondsAhead) {
        return TotpService.codeAt(DemoAccounts.totpSecret(username), Instant.now().plusSeconds(secondsAhead));
    }

    public Api.Response login(String username, String password) {
        return form("/login", Map.of("username", username, "password", password));
    }

    /** Fetches the session's CSRF token (a new session gets one). */
    public void refreshCsrf() {
        Api.Response r = exchange(builder("/api/auth/csrf").GET(), false);
        if (r.status() == 200) {
            csrfHeader = r.json().get("headerName").asString();
            csrfToken = r.json().get("token").asString();
        }
    }

    public Api.Response form(String path, Map<String, String> fields) {
        if (csrfToken == null) {
            refreshCsrf();
        }
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        Api.Response r = exchange(builder(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)), true);
        rememberCsrf(r);
        return r;
    }

    public Api.Response get(String path) {
        return exchange(builder(path).GET(), false);
    }

    /** A GET as a browser navigating to a screen (it asks for HTML). */
    public Api.Response page(String path) {
        return exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", "text/html").GET(), false);
    }

    /** A screen's form posted as a browser posts it: form-encoded, asking for HTML, with or without the CSRF token. */
    public Api.Response pageForm(String path, Map<String, String> fields, boolean withCsrf) {
        if (csrfToken == null) {
            refreshCsrf();
        }
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>(fields);
        if (withCsrf) {
            all.put("_csrf", csrfToken);
        }
        String body = all.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)), false);
    }

    /** A screen's form posted as a browser posts it, with repeated fields (several checked boxes of one name) and the CSRF token. */
    public Api.Response pageForm(String path, java.util.List<Map.Entry<String, String>> fields) {
        if (csrfToken == null) {
            refreshCsrf();
        }
        java.util.List<Map.Entry<String, String>> all = new java.util.ArrayList<>(fields);
        all.add(Map.entry("_csrf", csrfToken));
        String body = all.stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)), false);
    }

    /** A GET with one extra header (e.g. X-Dossier-Reason, the reason given when the guard asks to confirm). */
    public Api.Response get(String path, String header, String value) {
        return exchange(builder(path).header(header, value).GET(), false);
    }

    public Api.Response post(String path, Object json) {
        return exchange(builder(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.jsonMapper().writeValueAsString(json))), true);
    }

    public Api.Response postWithoutCsrf(String path, Object json) {
        return exchange(builder(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.jsonMapper().writeValueAsString(json))), false);
    }

    public Api.Response delete(String path) {
        return exchange(builder(path).DELETE(), true);
    }

    /** The session's CSRF header name and token, fetched first if the session has none yet (for requests built by hand). */
    public Map.Entry<String, String> csrf() {
        if (csrfToken == null) {
            refreshCsrf();
        }
        return Map.entry(csrfHeader, csrfToken);
    }

    public String sessionCookie() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("DOSSIER_SESSION"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    private void rememberCsrf(Api.Response r) {
        if (r.status() == 200 && r.body() != null && r.body().startsWith("{")) {
            JsonNode json = r.json();
            if (json.has("csrfToken")) {
                csrfHeader = json.get("csrfHeader").asString();
                csrfToken = json.get("csrfToken").asString();
            }
        }
    }

    private HttpRequest.Builder builder(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", "application/json");
    }

    private Api.Response exchange(HttpRequest.Builder request, boolean withCsrf) {
        if (withCsrf && csrfToken != null) {
            request.header(csrfHeader, csrfToken);
        }
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
