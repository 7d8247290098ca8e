package org.dossier.web;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input that the server cannot store or should not spend work on is a 4xx with a problem a person can act on
 * (RFC 9457), never a 500, and nothing is written (issue 17, "Bad input and faults").
 */
class BadInputTest extends IntegrationTest {

    private static final HttpClient RAW = HttpClient.newHttpClient();

    @org.springframework.beans.factory.annotation.Autowired
    org.dossier.identity.CredentialService credentials;

    @Test
    void aNulByteInANoteTitleIsRefusedAndNothingIsWritten() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        long before = count("clinical_note");
        Api.Response r = doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "a\u0000b", "body", "b"));
        assertProblem(r, 400, "NUL");
        assertThat(r.json().get("detail").asString()).contains("title");
        assertThat(count("clinical_note")).isEqualTo(before);
    }

    @Test
    void aNulByteInAMultipartFieldIsRefusedAndNothingIsWritten() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        long before = count("clinical_document");
        Api.Response r = doc.upload("/api/patients/" + patient + "/documents", "scan\u0000", "scan.pdf", "application/pdf",
                "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
        assertProblem(r, 400, "NUL");
        assertThat(r.json().get("detail").asString()).contains("title");
        assertThat(count("clinical_document")).isEqualTo(before);
    }

    @Test
    void aNulByteInAQueryIsRefused() {
        Api desk = as("frontdesk");
        long before = patientEntries();
        Api.Response r = desk.get("/api/patients?ipp=%00");
        assertProblem(r, 400, "ipp");
        assertThat(patientEntries()).as("no patient was searched, so none is audited").isEqualTo(before);
    }

    @Test
    void invalidUtf8InAQueryIsRefused() {
        Api desk = as("frontdesk");
        assertProblem(desk.get("/api/patients?name=%ff%ff%ff"), 400, "UTF-8");
        assertProblem(desk.get("/api/patients?name=%C0%AF%C0%AFdupont"), 400, "UTF-8");
    }

    @Test
    void aQueryOverTheLimitIsA414InTheCallersFormat() throws Exception {
        String longQuery = "_summary=" + "%C3%A9".repeat(3_000);
        HttpResponse<String> fhir = RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fhir/Condition?" + longQuery))
                .header("Authorization", "Bearer " + as("physician").token()).header("Accept", "application/fhir+json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fhir.statusCode()).as(fhir.body()).isEqualTo(414);
        assertThat(fhir.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+json");
        assertThat(fhir.body()).contains("OperationOutcome");
        assertProblem(as("frontdesk").get("/api/patients?name=" + "%C3%A9".repeat(3_000)), 414, "at most");
    }

    @Test
    void aFhirSearchWithInvalidTextGetsAnOperationOutcome() throws Exception {
        for (String query : List.of("name=%ff%ff%ff", "identifier=%00")) {
            HttpResponse<String> r = RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fhir/Patient?" + query))
                    .header("Authorization", "Bearer " + as("frontdesk").token()).header("Accept", "application/fhir+json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+json");
            assertThat(r.body()).contains("OperationOutcome").contains("Parameter");
        }
    }

    @Test
    void aTimestampPostgresqlCannotStoreIsRefusedWithItsRange() {
        long patient = fixtures().patient();
        long before = count("appointment");
        Map<String, Object> booking = new HashMap<>();
        booking.put("patientId", patient);
        booking.put("practitionerId", fixtures().staffId("physician"));
        booking.put("startAt", "+999999999-12-31T23:59:59Z");
        booking.put("reason", "follow-up");
        Api.Response r = as("frontdesk").post("/api/appointments", booking);
        assertProblem(r, 422, "startAt");
        assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("startAt");
        assertThat(r.json().get("detail").asString()).contains("1900").contains("2200");
        assertThat(count("appointment")).isEqualTo(before);
    }

    @Test
    void aBodyOfAWildcardMediaTypeIsRefused() {
        long patient = fixtures().patientInCare();
        long before = count("clinical_note");
        Api.Response r = as("physician").postRaw("/api/patients/" + patient + "/notes", "*/*",
                "{\"kind\":\"PROGRESS\",\"title\":\"t\",\"body\":\"b\"}");
        assertThat(r.status()).as(r.toString()).isIn(400, 415);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains("application/json");
        assertThat(count("clinical_note")).isEqualTo(before);
    }

    @Test
    void theErrorPathIsNotAPage() throws Exception {
        Api.Response r = anonymous().get("/error");
        assertProblem(r, 404, "");
        assertProblem(as("frontdesk").get("/error"), 404, "");
        HttpResponse<String> page = RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/error"))
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    }

    @Test
    void aHugeUsernameIsRefusedBeforeAnyWorkAndCountsAsAFailure() throws Exception {
        int before = addressFailures();
        long started = System.nanoTime();
        HttpResponse<String> r = raw("/api/auth/token", "application/json",
                "{\"username\":\"" + "u".repeat(5_000_000) + "\",\"password\":\"p\",\"code\":\"123456\"}");
        assertThat(r.statusCode()).as(r.body()).isIn(400, 413);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(System.nanoTime() - started).as("refused without hashing").isLessThan(3_000_000_000L);
        assertThat(addressFailures()).as("counted as a failed attempt").isEqualTo(before + 1);
    }

    @Test
    void aLongUsernameOrPasswordIsRefusedBeforeHashingAndCounts() {
        int before = addressFailures();
        Api.Response longName = anonymous().post("/api/auth/token", Map.of("username", "u".repeat(300), "password", "p", "code", "123456"));
        assertProblem(longName, 400, "256");
        Api.Response longPassword = anonymous().post("/api/auth/token", Map.of("username", "nobody", "password", "p".repeat(2000), "code", "1"));
        assertProblem(longPassword, 400, "1024");
        assertThat(addressFailures()).isEqualTo(before + 2);
    }

    @Test
    void aJsonBodyOverOneMebibyteIsRefusedBeforeBinding() {
        long patient = fixtures().patientInCare();
        long before = count("clinical_note");
        Api.Response r = as("physician").post("/api/patients/" + patient + "/notes",
                Map.of("kind", "PROGRESS", "title", "t", "body", "x".repeat(1_100_000)));
        assertProblem(r, 413, "1 MiB");
        assertThat(count("clinical_note")).isEqualTo(before);
    }

    @Test
    void aJsonBodyWithTooManyKeysIsRefusedBeforeBinding() {
        long patient = fixtures().patientInCare();
        long before = count("clinical_note");
        StringBuilder body = new StringBuilder("{\"kind\":\"PROGRESS\",\"title\":\"t\",\"body\":\"b\"");
        for (int i = 0; i < 20_000; i++) {
            body.append(",\"k").append(i).append("\":0");
        }
        body.append('}');
        Api.Response r = as("physician").postRaw("/api/patients/" + patient + "/notes", "application/json", body.toString());
        assertProblem(r, 400, "keys");
        assertThat(count("clinical_note")).isEqualTo(before);
    }

    // Causes the endpoint fuzz (EndpointFuzzTest) found, each kept here as one request.

    @Test
    void anEmptyValueInAListOfUnitsIsAnInvalidParameter() {
        Api.Response r = as("frontdesk").get("/api/inpatients?unitId=&unitId=1");
        assertProblem(r, 422, "unitId");
    }

    @Test
    void aJsonBodySentAsAFormIsRefusedAsTheFirewallRefusesItsParameterNames() {
        long patient = fixtures().patientInCare();
        long before = count("clinical_note");
        Api.Response r = as("physician").postRaw("/api/patients/" + patient + "/notes", "application/x-www-form-urlencoded",
                "{\"kind\":\"PROGRESS\",\"title\":\"\u0011\",\"body\":\"b\"}");
        assertThat(r.status()).as(r.toString()).isIn(400, 415);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(count("clinical_note")).isEqualTo(before);
    }

    @Test
    void aMultipartBodyThatCannotBeParsedIsRefusedAndNothingIsWritten() {
        long patient = fixtures().patientInCare();
        long before = count("clinical_document");
        Api doc = as("physician");
        String cut = "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nscan\r\n--b\r\nContent-Disposition: form-data; "
                + "name=\"file\"; filename=\"scan.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4";
        assertProblem(doc.postRaw("/api/patients/" + patient + "/documents", "multipart/form-data; boundary=b", cut), 400, "multipart");
        assertProblem(doc.postRaw("/api/patients/" + patient + "/documents", "multipart/form-data", cut), 400, "multipart");
        String nulName = cut.replace("scan.pdf", "scan\u0000.pdf") + "\r\n--b--\r\n";
        assertProblem(doc.postRaw("/api/patients/" + patient + "/documents", "multipart/form-data; boundary=b", nulName), 400, "multipart");
        assertThat(count("clinical_document")).isEqualTo(before);
    }

    @Test
    void aScreensUploadWithoutItsFileIsAnInvalidFormAndNothingIsWritten() throws Exception {
        String clinician = org.dossier.support.Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "CARDIO"));
        long patient = fixtures().patient();
        fixtures().careFor(patient, clinician);
        org.dossier.support.BrowserSession session = org.dossier.support.BrowserSession.signedIn(port, clinician);
        long before = count("clinical_document");
        String body = "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nscan\r\n--b\r\nContent-Disposition: form-data; "
                + "name=\"_csrf\"\r\n\r\n" + session.csrf().getValue() + "\r\n--b--\r\n";
        HttpResponse<String> r = RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/patients/" + patient + "/documents"))
                .header("Cookie", "DOSSIER_SESSION=" + session.sessionCookie()).header("Accept", "text/html")
                .header("Content-Type", "multipart/form-data; boundary=b").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("&#39;file&#39; is required");
        assertThat(count("clinical_document")).isEqualTo(before);
    }

    @Test
    void aPathThatTheContainerCannotDecodeIsAProblemOrAnOperationOutcome() throws Exception {
        String token = as("frontdesk").token();
        for (String path : List.of("/api/patients/%ff", "/api/patients/%E2%82/history", "/api/patients/%00")) {
            HttpResponse<String> r = RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("application/problem+json");
            assertThat(r.body()).contains("\"status\":400");
        }
        HttpResponse<String> fhir = RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fhir/Patient/%ff"))
                .header("Authorization", "Bearer " + token).header("Accept", "application/fhir+json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fhir.statusCode()).isEqualTo(400);
        assertThat(fhir.body()).contains("OperationOutcome");
    }

    @Test
    void aHeaderWithAControlCharacterIsRefusedByTheFirewallAndAnAccentedOneIsNot() throws Exception {
        String token = as("frontdesk").token();
        // Header bytes are read as ISO-8859-1: 0x85 is the control NEL, 0xE9 the letter é. The firewall judges a header when it
        // is read; the user agent is, for the audit trail.
        assertThat(rawStatus(token, (byte) 0x85)).startsWith("HTTP/1.1 400");
        assertThat(rawStatus(token, (byte) 0xE9)).startsWith("HTTP/1.1 200");
    }

    private String rawStatus(String token, byte inHeader) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
            request.writeBytes(("GET /api/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: ward-tablet a").getBytes(StandardCharsets.ISO_8859_1));
            request.write(inHeader);
            request.writeBytes("b\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(request.toByteArray());
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
        }
    }

    @Test
    void aUrlOverTheContainersLimitIsAProblem() throws Exception {
        HttpResponse<String> r = RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/acts?q=" + "%C3%A9".repeat(3_000)))
                .header("Authorization", "Bearer " + as("billing").token()).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isIn(400, 414, 431);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    /**
     * Sampled fuzz, seeded so that a failure is reproducible: any characters (controls and NUL included), any bytes
     * percent-encoded (mostly invalid UTF-8), and known bad values, over the patient search's and the slots' parameters;
     * no answer is a 5xx.
     */
    @Test
    void noSearchParameterAnswersAServerError() {
        Api desk = as("frontdesk");
        long doctor = fixtures().staffId("physician");
        java.util.Random random = new java.util.Random(20261206L);
        List<String> known = List.of("+999999999-12-31", "-0001-01-01", "1899-12-31", "2024-02-30", "%00", "1e309", "'", "%5C",
                "%2B999999999-01-01");
        List<String> parameters = List.of("name", "given", "birthDate", "ins", "ipp", "facilityId");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            String value = switch (random.nextInt(3)) {
                case 0 -> {
                    StringBuilder chars = new StringBuilder();
                    for (int n = 1 + random.nextInt(12); n > 0; n--) {
                        chars.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x20) : random.nextInt(0x3000));
                    }
                    yield URLEncoder.encode(chars.toString(), StandardCharsets.UTF_8);
                }
                case 1 -> {
                    byte[] bytes = new byte[1 + random.nextInt(8)];
                    random.nextBytes(bytes);
                    yield percentEncoded(bytes);
                }
                default -> known.get(random.nextInt(known.size()));
            };
            for (String path : List.of("/api/patients?name=dup&" + parameters.get(random.nextInt(parameters.size())) + "=" + value,
                    "/api/practitioners/" + doctor + "/slots?date=" + value)) {
                Api.Response r = desk.get(path);
                if (r.status() >= 500) {
                    failures.add(r.status() + " " + path);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static String percentEncoded(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append('%').append(String.format("%02X", b & 0xff));
        }
        return s.toString();
    }

    private long patientEntries() {
        return jdbc.sql("select count(*) from audit_entry where patient_id is not null").query(Long.class).single();
    }

    private int addressFailures() {
        return jdbc.sql("select coalesce(max(failures), 0) from auth_throttle where throttle_key = 'address:127.0.0.1'")
                .query(Integer.class).single();
    }

    private HttpResponse<String> raw(String path, String contentType, String body) throws Exception {
        return RAW.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", contentType)
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(Api.Response r, int status, String detailContains) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asString()).isNotBlank();
        assertThat(p.get("detail").asString()).as(r.toString()).containsIgnoringCase(detailContains);
    }
}
