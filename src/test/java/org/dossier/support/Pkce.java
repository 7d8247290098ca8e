package org.dossier.support;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parts of an OAuth authorization-code flow with PKCE that every app of the tests repeats: a verifier and its
 * challenge, the code exchanged for an access token, and reading or writing URL parameters.
 */
record Pkce(String verifier, String challenge) {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    static Pkce make() throws NoSuchAlgorithmException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII))));
    }

    /** The access token the server issues for the code the authorization answer {@code issued} redirects the app with. */
    String exchange(int port, Api.Response issued, String redirectUri, String clientId) throws Exception {
        String redirected = issued.header("Location");
        assertThat(redirected).as(issued.toString()).startsWith(redirectUri);
        String form = Map.of("grant_type", "authorization_code", "code", param(redirected, "code"), "redirect_uri", redirectUri,
                "code_verifier", verifier, "client_id", clientId).entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Api.jsonMapper().readTree(r.body()).get("access_token").asString();
    }

    /** The client id of an app the administrator has just registered (201). */
    static String clientId(Api.Response registered) {
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        return registered.json().get("app").get("clientId").asString();
    }

    /** The consent form's fields: the app, the request's state, and every scope asked for, allowed. */
    static List<Map.Entry<String, String>> consent(String clientId, String state, String scope) {
        List<Map.Entry<String, String>> fields = new ArrayList<>(List.of(Map.entry("client_id", clientId), Map.entry("state", state)));
        for (String s : scope.split(" ")) {
            fields.add(Map.entry("scope", s));
        }
        return fields;
    }

    static String param(String url, String name) {
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + name + " in " + url);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
