package org.dossier.ui;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The screens keep the API's rules, over real HTTP with a signed-in browser session: nothing without sign-in, a strict
 * Content-Security-Policy, CSRF on every form, the gateway's refusals (audited, nothing written), role checks on the
 * consoles, no open redirect, and uploaded documents that can never run as the application. Each rule has the
 * attacker's request refused and the legitimate one working.
 */
class PagesSecurityTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    @Test
    void aScreenAskedForWithoutSignInRedirectsToTheSignInPageAndTheApiStillAnswers401() {
        BrowserSession anonymous = new BrowserSession(port);
        Api.Response page = anonymous.page("/patients/1");
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.header("Location")).endsWith("/signin");
        assertThat(anonymous.get("/api/patients/1").status()).isEqualTo(401);
        assertThat(anonymous.page("/signin").status()).isEqualTo(200);
    }

    @Test
    void everyScreenCarriesAStrictContentSecurityPolicy() {
        Api.Response signIn = new BrowserSession(port).page("/signin");
        String csp = signIn.header("Content-Security-Policy");
        assertThat(csp).contains("script-src 'self'").contains("style-src 'self'").contains("frame-ancestors 'none'")
                .contains("object-src 'none'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(signIn.body()).doesNotContain("<script>").doesNotContain(" style=\"").doesNotContain("onclick=");
        assertThat(signIn.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(signIn.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void theScreensSpeakTheBrowsersLanguageFrenchByDefault() {
        assertThat(pageIn("en-US,en;q=0.9")).contains("<h1>Sign in</h1>").contains("lang=\"en\"");
        assertThat(pageIn("fr-FR")).contains("<h1>Connexion</h1>");
        assertThat(pageIn("de-DE")).as("a language Dossier does not speak").contains("<h1>Connexion</h1>");
    }

    @Test
    void aFormWithoutItsCsrfTokenIsRefusedAndWritesNothingWhileTheSameFormWithItSignsTheNote() {
        String clinician = freshPhysician();
        long patient = fixtures().patient();
        fixtures().careFor(patient, clinician);
        BrowserSession physician = BrowserSession.signedIn(port, clinician);
        Map<String, String> note = Map.of("kind", "PROGRESS", "title", "Note du jour", "body", "Stable.", "then", "sign");

        Api.Response forged = physician.pageForm("/patients/" + patient + "/notes", note, false);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.contentType()).as("a page, never a bare JSON 403").startsWith("text/html");
        assertThat(forged.body()).contains("id=\"error-message\"");
        assertThat(notesOf(patient)).isZero();

        Api.Response genuine = physician.pageForm("/patients/" + patient + "/notes", note, true);
        assertThat(genuine.status()).isEqualTo(302);
        assertThat(genuine.header("Location")).endsWith("/patients/" + patient + "?tab=notes");
        assertThat(jdbc.sql("select status from clinical_note where patient_id = ?").param(patient).query(String.class).single())
                .isEqualTo("SIGNED");
    }

    @Test
    void aClinicianWithNoRelationshipGetsNoChartScreenNoTabAndNoWriteEachRefusalAudited() {
        long patient = fixtures().patient();
        String name = identity(patient).birthFamilyName();
        String stranger = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "PNEUMO"));
        BrowserSession session = BrowserSession.signedIn(port, stranger);
        long before = refusalsOf(stranger, patient);

        for (String tab : ChartPagesTabs.ALL) {
            Api.Response chart = session.page("/patients/" + patient + "?tab=" + tab);
            assertThat(chart.status()).as(tab).isEqualTo(403);
            assertThat(chart.body()).as(tab).doesNotContainIgnoringCase(name).contains("break-glass-offer");
        }
        Api.Response write = session.pageForm("/patients/" + patient + "/notes", Map.of("title", "x", "body", "y"), true);
        assertThat(write.status()).isEqualTo(403);
        assertThat(notesOf(patient)).isZero();
        assertThat(refusalsOf(stranger, patient) - before).isEqualTo(ChartPagesTabs.ALL.size() + 1);

        // The patient's own clinician opens the same screens.
        String own = freshPhysician();
        fixtures().careFor(patient, own);
        BrowserSession physician = BrowserSession.signedIn(port, own);
        for (String tab : ChartPagesTabs.CLINICIAN) {
            long entries = entriesOf(own, patient);
            Api.Response chart = physician.page("/patients/" + patient + "?tab=" + tab);
            assertThat(chart.status()).as(tab).isEqualTo(200);
            assertThat(chart.body()).as(tab).containsIgnoringCase(name);
            assertThat(entriesOf(own, patient) - entries).as("one decision, one audit entry for the " + tab + " tab").isEqualTo(1);
        }
    }

    @Test
    void theConsolesRefuseOtherRolesAndSayWhyInTheTrail() {
        BrowserSession physician = BrowserSession.signedIn(port, "physician");
        for (String path : new String[]{"/security", "/security/audit", "/admin/staff", "/admin/units"}) {
            assertThat(physician.page(path).status()).as(path).isEqualTo(403);
        }
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = 'physician' and decision = 'DENY' "
                + "and detail like 'GET /security%'").query(Long.class).single()).isGreaterThanOrEqualTo(2);
        assertThat(BrowserSession.signedIn(port, "security").page("/security").status()).isEqualTo(200);
        assertThat(BrowserSession.signedIn(port, "admin").page("/admin/staff").status()).isEqualTo(200);
    }

    @Test
    void theStepUpFormSendsBackOnlyToAPageOfDossier() {
        // A fresh account: the wrong codes below count against the account's sign-in throttle.
        BrowserSession physician = BrowserSession.signedIn(port, freshPhysician());
        for (String next : new String[]{"//evil.example/phish", "https://evil.example", "/\\evil.example"}) {
            Api.Response r = physician.pageForm("/step-up", Map.of("code", "000000", "next", next), true);
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location")).as(next).isEqualTo("http://127.0.0.1:" + port + "/");
        }
        Api.Response local = physician.pageForm("/step-up", Map.of("code", "000000", "next", "/patients"), true);
        assertThat(local.header("Location")).endsWith("/patients");
    }

    @Test
    void anUploadedDocumentOpensSandboxedAndOnlyForThoseTheGatewayLetsIn() {
        String clinician = freshPhysician();
        long patient = fixtures().patient();
        fixtures().careFor(patient, clinician);
        byte[] pdf = "%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Api.Response uploaded = as(clinician).upload("/api/patients/" + patient + "/documents", "Compte rendu", "cr.pdf",
                "application/pdf", pdf);
        assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(201);
        long document = uploaded.json().get("id").asLong();
        Api.Response view = BrowserSession.signedIn(port, clinician).page("/documents/" + document + "/view");
        assertThat(view.status()).isEqualTo(200);
        assertThat(view.contentType()).isEqualTo("application/pdf");
        assertThat(view.header("Content-Disposition")).startsWith("inline");
        assertThat(view.header("Content-Security-Policy")).startsWith("sandbox");

        assertThat(BrowserSession.signedIn(port, freshPhysician()).page("/documents/" + document + "/view").status()).isIn(403, 404);
    }

    @Test
    void theDeskCancelsAnAppointmentWithAReasonAndAStaleFormIsRefused() {
        String desk = Accounts.newStaff(as("admin"), credentials, "FRONT_DESK", 1, null);
        Map<String, Object> booked = jdbc.sql("""
                select id, version from appointment where facility_id = 1 and status = 'BOOKED' and start_at > now()
                 order by id desc limit 1""").query().singleRow();
        long id = ((Number) booked.get("id")).longValue();
        String version = booked.get("version").toString();
        BrowserSession session = BrowserSession.signedIn(port, desk);
        Api.Response stale = session.pageForm("/appointments/" + id + "/cancel", Map.of("version", "999", "reason", "patient a appelé"), true);
        assertThat(stale.status()).isEqualTo(302);
        assertThat(jdbc.sql("select status from appointment where id = ?").param(id).query(String.class).single()).isEqualTo("BOOKED");
        Api.Response cancelled = session.pageForm("/appointments/" + id + "/cancel", Map.of("version", version, "reason", "patient a appelé"), true);
        assertThat(cancelled.status()).isEqualTo(302);
        assertThat(jdbc.sql("select status from appointment where id = ?").param(id).query(String.class).single()).isEqualTo("CANCELLED");
    }

    @Test
    void endingAnotherOfMySessionsSignsThatBrowserOutAndSaysWhy() {
        String nurse = Accounts.newStaff(as("admin"), credentials, "NURSE", 1, fixtures().unit(1, "CARDIO"));
        BrowserSession office = BrowserSession.signedIn(port, nurse);
        BrowserSession ward = BrowserSession.signedIn(port, nurse);
        assertThat(ward.page("/").status()).isEqualTo(200);
        String page = office.page("/me/sessions").body();
        java.util.regex.Matcher end = java.util.regex.Pattern.compile("/me/sessions/([^/\"]+)/end").matcher(page);
        assertThat(end.find()).as("the other session has an end button").isTrue();
        assertThat(office.pageForm("/me/sessions/" + end.group(1) + "/end", Map.of(), true).status()).isEqualTo(302);
        Api.Response after = ward.page("/");
        assertThat(after.status()).isEqualTo(302);
        assertThat(after.header("Location")).endsWith("/signin?ended");
        assertThat(office.page("/").status()).as("the session that ended the other goes on").isEqualTo(200);
    }

    @Test
    void aSensitiveActionWithAnOldSecondFactorAsksToConfirmAndDoesNothing() throws Exception {
        String frozen = Accounts.newStaff(as("admin"), credentials, "NURSE", 1, fixtures().unit(1, "CARDIO"));
        jdbc.sql("update staff set status = 'FROZEN' where username = ?").param(frozen).update();
        String stale = Api.fetchToken(port, "security", org.dossier.demo.DemoAccounts.PASSWORD);
        jdbc.sql("update api_token set issued_at = now() - interval '10 minutes' where token_hash = encode(sha256(convert_to(?, 'UTF8')), 'hex')")
                .param(stale).update();
        heardByTheServer();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/security/accounts/"
                        + fixtures().staffId(frozen) + "/unfreeze"))
                .header("Authorization", "Bearer " + stale).header("Accept", "text/html").header("Referer", "http://127.0.0.1:" + port + "/security")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("reason=called+the+user")).build();
        var answer = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).contains("id=\"step-up\"").contains("action=\"/step-up\"").contains("value=\"/security\"");
        assertThat(jdbc.sql("select status from staff where username = ?").param(frozen).query(String.class).single()).isEqualTo("FROZEN");
    }

    @Test
    void datesAsTheBrowsersDateFieldsSendThemAreReadAndAWrongNumberIsA422WithNothingWritten() {
        String clinician = freshPhysician();
        long patient = fixtures().patient();
        fixtures().careFor(patient, clinician);
        BrowserSession session = BrowserSession.signedIn(port, clinician);
        Api.Response problem = session.pageForm("/patients/" + patient + "/problems",
                Map.of("icd10Code", "I10", "label", "Hypertension artérielle", "onsetDate", "2024-03-15"), true);
        assertThat(problem.status()).isEqualTo(302);
        assertThat(jdbc.sql("select onset_date::text from problem where patient_id = ?").param(patient).query(String.class).single())
                .isEqualTo("2024-03-15");
        Api.Response observation = session.pageForm("/patients/" + patient + "/observations",
                Map.of("kind", "HEART_RATE", "value", "72", "effectiveAt", "2026-01-10T08:30"), true);
        assertThat(observation.status()).isEqualTo(302);
        assertThat(jdbc.sql("select count(*) from observation where patient_id = ?").param(patient).query(Long.class).single()).isEqualTo(1);
        Api.Response wrong = session.pageForm("/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", "soixante"), true);
        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.body()).contains("value&#39; has the wrong format");
        assertThat(jdbc.sql("select count(*) from observation where patient_id = ?").param(patient).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void aRegistrationWithAnUnreadableBirthDateIsA422AndRegistersNobody() {
        String desk = Accounts.newStaff(as("admin"), credentials, "FRONT_DESK", 1, null);
        long before = count("patient");
        Api.Response r = BrowserSession.signedIn(port, desk).pageForm("/patients/new", Map.of("birthFamilyName", "Lambert",
                "givenNames", "Jeanne", "birthDate", "31/02/1980", "sex", "F"), true);
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("birthDate&#39; has the wrong format");
        assertThat(count("patient")).isEqualTo(before);
    }

    private String freshPhysician() {
        return Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "PNEUMO"));
    }

    private String pageIn(String language) {
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/signin"))
                    .header("Accept", "text/html").header("Accept-Language", language).build();
            return client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long notesOf(long patient) {
        return jdbc.sql("select count(*) from clinical_note where patient_id = ?").param(patient).query(Long.class).single();
    }

    private long entriesOf(String username, long patient) {
        return jdbc.sql("select count(*) from audit_entry where actor_username = ? and patient_id = ?")
                .param(username).param(patient).query(Long.class).single();
    }

    private long refusalsOf(String username, long patient) {
        return jdbc.sql("select count(*) from audit_entry where actor_username = ? and patient_id = ? and decision = 'DENY'")
                .param(username).param(patient).query(Long.class).single();
    }

    /** The chart's tabs, as the screens name them. */
    static final class ChartPagesTabs {
        static final java.util.List<String> ALL = java.util.List.of("summary", "notes", "allergies", "problems", "prescriptions",
                "observations", "documents", "appointments", "stays", "billing");
        static final java.util.List<String> CLINICIAN = java.util.List.of("summary", "notes", "allergies", "problems", "prescriptions",
                "observations", "documents", "appointments", "stays");
    }
}
