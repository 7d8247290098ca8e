package org.dossier.support;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clinician's SMART app as a test needs it (ADR 0028): registered by an administrator, then authorized in the person's
 * signed-in browser session — authorization request, consent, the code exchanged with PKCE — for an access token.
 * SmartLaunchTest drives and checks each step; this only gets there.
 */
public final class StaffAppFlow {

    public static final String REDIRECT = "http://localhost:9/staff-app";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private StaffAppFlow() {
    }

    /** Registers a public app with these scopes; its client id. */
    public static String register(Api admin, List<String> scopes) {
        Api.Response r = admin.post("/api/admin/smart-apps", Map.of("name", "Staff app", "redirectUris", List.of(REDIRECT),
                "scopes", scopes, "confidential", false));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("app").get("clientId").asString();
    }

    /** An access token of the app for the person signed in to {@code browser}, every scope in {@code scope} allowed (no launch patient). */
    public static String token(int port, BrowserSession browser, String clientId, String scope) throws Exception {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        Api.Response asked = browser.page("/oauth2/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(REDIRECT)
                + "&scope=" + enc(scope) + "&state=s1&aud=" + enc("http://127.0.0.1:" + port + "/fhir") + "&code_challenge=" + challenge
                + "&code_challenge_method=S256");
        String location = asked.header("Location");
        assertThat(location).as(asked.toString()).contains("/smart/consent");
        String state = param(location, "state");
        browser.page(location.substring(location.indexOf("/smart/consent")));
        List<Map.Entry<String, String>> fields = new ArrayList<>(List.of(Map.entry("client_id", clientId), Map.entry("state", state)));
        for (String s : scope.split(" ")) {
            fields.add(Map.entry("scope", s));
        }
        assertThat(browser.pageForm("/smart/consent", fields).status()).isEqualTo(307);
        Api.Response issued = browser.pageForm("/oauth2/authorize", fields);
        assertThat(issued.header("Location")).as(issued.toString()).startsWith(REDIRECT);
        String form = Map.of("grant_type", "authorization_code", "code", param(issued.header("Location"), "code"), "redirect_uri", REDIRECT,
                "code_verifier", verifier, "client_id", clientId).entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Api.jsonMapper().readTree(r.body()).get("access_token").asString();
    }

    private static String param(String url, String name) {
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + name + " in " + url);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
