package org.dossier.clinical;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class DocumentTest extends IntegrationTest {

    private static final byte[] PDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
    private static final byte[] EXE = {'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0};

    private HttpResponse<byte[]> upload(long patient, String filename, String contentType, byte[] content, String title) throws Exception {
        String boundary = "----dossier" + System.nanoTime();
        var body = new java.io.ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + title + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nREPORT\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\nContent-Type: "
                + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(content);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/patients/" + patient + "/documents"))
                .header("Authorization", basic("physician"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private String basic(String user) {
        return "Bearer " + as(user).token();
    }

    @Test
    void aPdfIsStoredWithItsHashAndServedBackAsAnAttachment() throws Exception {
        long patient = fixtures().patientInCare();
        HttpResponse<byte[]> r = upload(patient, "echo.pdf", "application/pdf", PDF, "Echocardiography report");
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        var doc = JsonMapper.builder().build().readTree(r.body());
        assertThat(doc.get("contentType").asString()).isEqualTo("application/pdf");
        assertThat(doc.get("sizeBytes").asInt()).isEqualTo(PDF.length);
        assertThat(doc.get("sha256").asString()).hasSize(64);

        HttpResponse<byte[]> content = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/documents/" + doc.get("id").asLong() + "/content"))
                .header("Authorization", basic("nurse")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body()).isEqualTo(PDF);
        assertThat(content.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment");
        assertThat(content.headers().firstValue("X-Content-Type-Options").orElse("")).isEqualTo("nosniff");
    }

    @Test
    void anImageIsAcceptedWhateverItsNameButNotWhenItsBytesContradictTheDeclaredType() throws Exception {
        long patient = fixtures().patientInCare();
        assertThat(upload(patient, "scan", "image/png", PNG, "ECG scan").statusCode()).isEqualTo(201);
        long before = count("clinical_document");
        assertThat(upload(patient, "scan.pdf", "application/pdf", PNG, "mislabelled").statusCode()).isEqualTo(422);
        assertThat(upload(patient, "report.pdf", "application/pdf", EXE, "renamed program").statusCode()).isEqualTo(422);
        assertThat(upload(patient, "empty.pdf", "application/pdf", new byte[0], "empty").statusCode()).isEqualTo(422);
        assertThat(upload(patient, "x.pdf", "application/pdf", PDF, "").statusCode()).isEqualTo(422);
        assertThat(count("clinical_document")).isEqualTo(before);
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedWithAProblem() throws Exception {
        long patient = fixtures().patientInCare();
        byte[] big = new byte[DocumentService.MAX_BYTES + 1024];
        System.arraycopy(PDF, 0, big, 0, PDF.length);
        long before = count("clinical_document");
        HttpResponse<byte[]> r = upload(patient, "huge.pdf", "application/pdf", big, "too big");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
        assertThat(count("clinical_document")).isEqualTo(before);
    }
}
