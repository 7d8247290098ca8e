package org.dossier.support;

import org.dossier.demo.DemoAccounts;
import org.dossier.identity.TotpService;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real HTTP client for the running server. {@link #as} signs in the way a programmatic client does:
 * an API token from username, password and a current authenticator code.
 */
public final class Api {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();
    private static final Map<String, Instant> ISSUED = new ConcurrentHashMap<>();
    /** Renewed before the step-up freshness (5 minutes) runs out, as a careful client would. */
    private static final java.time.Duration RENEW_AFTER = java.time.Duration.ofMinutes(4);

    private final int port;
    private final String username;
    private final String password;
    private final String bearer;

    private Api(int port, String username, String password, String bearer) {
        this.port = port;
        this.username = username;
        this.password = password;
        this.bearer = bearer;
    }

    public static Api anonymous(int port) {
        return new Api(port, null, null, null);
    }

    /** Signed in with an API token of the account (one token per account and server, kept for the run). */
    public Api as(String username, String password) {
        return new Api(port, username, password, null);
    }

    /** Sends this exact bearer token. */
    public Api withBearer(String token) {
        return new Api(port, null, null, token);
    }

    /** The port of the server this client calls. */
    public int port() {
        return port;
    }

    public String token() {
        if (bearer != null) {
            return bearer;
        }
        String key = port + "/" + username;
        Instant issued = ISSUED.get(key);
        if (issued != null && issued.isBefore(Instant.now().minus(RENEW_AFTER))) {
            TOKENS.remove(key);
        }
        return TOKENS.computeIfAbsent(key, k -> {
            ISSUED.put(k, Instant.now());
            return fetchToken(port, username, password);
        });
    }

    public Response get(String path) {
        return send(() -> request(path).GET());
    }

    public Response delete(String path) {
        return send(() -> request(path).DELETE());
    }

    /** A DELETE with a JSON body (what the deletion needs said, e.g. a reason: never in the address, issue 22). */
    public Response delete(String path, Object body) {
        return send(() -> request(path).header("Content-Type", "application/json").method("DELETE", bodyOf(body)));
    }

    public Response deleteRaw(String path, String contentType, String body) {
        return send(() -> request(path).header("Content-Type", contentType).method("DELETE", HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response post(String path, Object body) {
        return send(() -> request(path).header("Content-Type", "application/json").POST(bodyOf(body)));
    }

    public Response put(String path, Object body) {
        return send(() -> request(path).header("Content-Type", "application/json").PUT(bodyOf(body)));
    }

    public Response postRaw(String path, String contentType, String body) {
        return send(() -> request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A multipart upload of one file with a title, as a document upload sends it. */
    public Response upload(String path, String title, String filename, String contentType, byte[] content) {
        String boundary = "----dossier" + System.nanoTime();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + title + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return send(() -> request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    /** A POST with extra request headers. */
    public Response postRaw(String path, String contentType, String body, Map<String, String> headers) {
        return send(() -> {
            HttpRequest.Builder b = request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(b::header);
            return b;
        });
    }

    /** A PUT with extra request headers. */
    public Response putRaw(String path, String contentType, String body, Map<String, String> headers) {
        return send(() -> {
            HttpRequest.Builder b = request(path).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(b::header);
            return b;
        });
    }

    public static JsonMapper jsonMapper() {
        return JSON;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** An API token for a demo account, signed in with an authenticator step no other sign-in of this run used ({@link TotpSteps}). */
    public static String fetchToken(int port, String username, String password) {
        Response last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            last = anonymous(port).post("/api/auth/token", Map.of("username", username, "password", password,
                    "code", TotpSteps.next(port, username)));
            if (last.status() == 201) {
                return last.json().get("token").asString();
            }
        }
        throw new IllegalStateException("Cannot get a token for " + username + ": " + last);
    }


    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Accept", "application/json, application/problem+json");
        if (bearer != null || username != null) {
            b.header("Authorization", "Bearer " + token());
        }
        return b;
    }

    private static HttpRequest.BodyPublisher bodyOf(Object body) {
        String text = body instanceof String s ? s : JSON.writeValueAsString(body);
        return HttpRequest.BodyPublishers.ofString(text);
    }

    private Response send(java.util.function.Supplier<HttpRequest.Builder> request) {
        Response r = exchange(request.get());
        String challenge = r.header("WWW-Authenticate");
        if (r.status() == 401 && username != null && bearer == null && challenge != null && challenge.contains("invalid_token")) {
            // The account's sessions and tokens were revoked (suspension, account change): sign in again, once.
            TOKENS.remove(port + "/" + username);
            r = exchange(request.get());
        }
        return r;
    }

    private static Response exchange(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""), r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A response with its body parsed as JSON when it is JSON. */
    public record Response(int status, String body, String contentType, Map<String, java.util.List<String>> headers) {
        public JsonNode json() {
            return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).flatMap(e -> e.getValue().stream())
                    .findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
