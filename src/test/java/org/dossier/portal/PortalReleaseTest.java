package org.dossier.portal;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Results and documents released to the patient, over real HTTP (ADR 0044): a physician releases them from the chart (a
 * change of the clinical section, decided and audited by the gateway); only released ones reach the portal, by list or by
 * id; another patient's released document is answered as missing and audited; a role that cannot change the clinical
 * section cannot release.
 */
class PortalReleaseTest extends IntegrationTest {

    private static final byte[] PDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

    private PortalSession enrolled(long patientId) {
        Api.Response r = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of());
        String birth = identity(patientId).birthDate().toString();
        return PortalSession.enrolled(port, r.json().get("code").asString(), birth, PortalTest.username(), PortalTest.PASSWORD);
    }

    private long result(long patient, String code, String label, double value) {
        Api.Response r = as("physician").post("/api/patients/" + patient + "/observations", Map.of("kind", "LAB", "value", value,
                "code", code, "label", label, "unit", "g/dL"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    private long document(long patient, String title) {
        Api.Response r = as("physician").upload("/api/patients/" + patient + "/documents", title, "letter.pdf", "application/pdf", PDF);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    private long audited(long patient, String resource, String decision, String reason) {
        return jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and resource_type = ? and decision = ?
                           and coalesce(reason_code, '') = ?""")
                .param(patient).param(resource).param(decision).param(reason).query(Long.class).single();
    }

    @Test
    void aReleasedResultAndDocumentShowUnreleasedOnesDoNotEvenByTheirId() {
        long p = fixtures().patientInCare();
        long shown = result(p, "718-7", "Hémoglobine", 13.4);
        long hidden = result(p, "2345-7", "Glycémie", 5.9);
        long letter = document(p, "Lettre de sortie \"finale\"/v2\r\nX: y");
        long draft = document(p, "Compte rendu pas encore relu");
        BrowserSession doctor = BrowserSession.signedIn(port, "physician");
        String tab = doctor.page("/patients/" + p + "?tab=observations").body();
        assertThat(tab).contains("id=\"release-observations-" + shown + "\"");
        Api.Response released = doctor.pageForm("/patients/" + p + "/observations/" + shown + "/release", Map.of(), true);
        assertThat(released.status()).as(released.toString()).isEqualTo(302);
        assertThat(doctor.page("/patients/" + p + "?tab=observations").body()).doesNotContain("id=\"release-observations-" + shown + "\"")
                .contains("Transmis au patient");
        assertThat(as("physician").post("/api/documents/" + letter + "/release", Map.of()).status()).isEqualTo(200);
        assertThat(as("physician").post("/api/documents/" + letter + "/release", Map.of()).status()).as("again: harmless").isEqualTo(200);
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and action = 'status' and decision = 'ALLOW'
                           and resource_type in ('Observation', 'Document') and detail like '%released to the patient%'""")
                .param(p).query(Long.class).single()).as("each release is the gateway's change, audited").isEqualTo(3);

        PortalSession patient = enrolled(p);
        String results = patient.page("/portal/results").body();
        assertThat(results).contains("id=\"result-" + shown + "\"").contains("13.4").doesNotContain("result-" + hidden).doesNotContain("Glycémie");
        String documents = patient.page("/portal/documents").body();
        assertThat(documents).contains("id=\"document-" + letter + "\"").doesNotContain("document-" + draft).doesNotContain("pas encore relu");

        Api.Response download = patient.get("/portal/documents/" + letter);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.header("Content-Type")).isEqualTo("application/pdf");
        assertThat(download.header("Content-Disposition")).startsWith("attachment;").doesNotContain("\r").doesNotContain("\n")
                .doesNotContain("/").contains("filename=\"Lettre de sortie _finale__v2__X_ y.pdf\"");
        assertThat(download.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(download.body()).startsWith("%PDF-1.4");
        assertThat(audited(p, "Document", "ALLOW", "PATIENT_SELF")).as("the list and the download, audited").isGreaterThanOrEqualTo(2);

        assertThat(patient.get("/portal/documents/" + draft).status()).as("an unreleased document, by its id").isEqualTo(404);
        assertThat(patient.get("/portal/documents/" + Long.MAX_VALUE).status()).isEqualTo(404);
        assertThat(patient.get("/portal/documents/abc").status()).as("bad input is 4xx").isBetween(400, 499);
    }

    @Test
    void anotherPatientsReleasedDocumentIsMissingAndAudited() {
        long owner = fixtures().patientInCare();
        long letter = document(owner, "Compte rendu d'un autre");
        assertThat(as("physician").post("/api/documents/" + letter + "/release", Map.of()).status()).isEqualTo(200);
        long other = fixtures().patientInCare();
        PortalSession stranger = enrolled(other);
        Api.Response probe = stranger.get("/portal/documents/" + letter);
        assertThat(probe.status()).isEqualTo(404);
        assertThat(probe.body()).doesNotContain("PDF").doesNotContain("autre");
        assertThat(audited(owner, "Document", "DENY", "NOT_OWN_RECORD")).as("the probe is written about the record it named").isEqualTo(1);
        assertThat(stranger.page("/portal/documents").body()).doesNotContain("document-" + letter);
    }

    @Test
    void aRoleThatCannotChangeTheClinicalSectionCannotReleaseAndIsAudited() {
        long p = fixtures().patientInCare();
        long r = result(p, "718-7", "Hémoglobine", 12.1);
        long d = document(p, "Résultat d'imagerie");
        Api.Response nurse = as("nurse").post("/api/observations/" + r + "/release", Map.of());
        assertThat(nurse.status()).as(nurse.toString()).isEqualTo(403);
        assertThat(nurse.contentType()).contains("problem+json");
        Api.Response desk = as("frontdesk").post("/api/documents/" + d + "/release", Map.of());
        assertThat(desk.status()).as(desk.toString()).isEqualTo(403);
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and action = 'status' and decision = 'DENY'
                           and resource_type in ('Observation', 'Document')""").param(p).query(Long.class).single())
                .as("both refusals written to the trail").isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from clinical_release where patient_id = ?").param(p).query(Long.class).single()).isZero();
        assertThat(BrowserSession.signedIn(port, "nurse").page("/patients/" + p + "?tab=observations").body())
                .doesNotContain("release-observations-" + r).contains("Non transmis");

        assertThat(as("physician").post("/api/observations/" + r + "/entered-in-error", Map.of("version", 1, "reason", "wrong tube"))
                .status()).isEqualTo(200);
        Api.Response inError = as("physician").post("/api/observations/" + r + "/release", Map.of());
        assertThat(inError.status()).as("a result entered in error is not released").isEqualTo(409);
    }

    @Test
    void theDemoPatient1HasAReleasedResultAndLetter() {
        PortalSession patient1 = new PortalSession(port);
        patient1.signIn("patient1", org.dossier.demo.DemoAccounts.PASSWORD, org.dossier.identity.TotpService.codeAt(
                org.dossier.demo.DemoAccounts.totpSecret("patient1"), java.time.Instant.now()));
        assertThat(patient1.page("/portal/results").body()).contains("Hémoglobine").contains("13.6");
        String documents = patient1.page("/portal/documents").body();
        assertThat(documents).contains("Compte rendu de consultation");
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"/portal/documents/(\\d+)\"").matcher(documents);
        assertThat(link.find()).isTrue();
        Api.Response letter = patient1.get("/portal/documents/" + link.group(1));
        assertThat(letter.status()).isEqualTo(200);
        assertThat(letter.body()).startsWith("%PDF-1.4").contains("%%EOF");
    }
}
