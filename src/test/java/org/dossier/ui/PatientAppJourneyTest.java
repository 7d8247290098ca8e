package org.dossier.ui;

import org.dossier.identity.TotpService;
import org.dossier.support.Api;
import org.dossier.support.Browser;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A patient's own app in a real Chromium, phone-sized (ADR 0045): the app sends the browser to the authorization endpoint,
 * the patient signs in at the portal (password, authenticator code), allows the app on the portal's consent page, and the
 * browser is sent back to the app (another origin) with a code — which the strict CSP of the page must let through — that
 * the app exchanges (PKCE) for a token reading the patient's own record.
 */
class PatientAppJourneyTest extends IntegrationTest {

    private static final String PASSWORD = "a long walk by the quiet river";

    @BeforeAll
    static void chromium() {
        Browser.requireChromium();
    }

    @Test
    void aPatientAuthorizesTheirAppFromThePortalAndTheAppReadsTheirRecord() throws Exception {
        long patient = fixtures().patient();
        String birth = identity(patient).birthDate().toString();
        String code = as("frontdesk").post("/api/patients/" + patient + "/portal-code", Map.of()).json().get("code").asString();
        String username = "appjourney" + (System.nanoTime() % 100000);
        String secret = PortalSession.enrolled(port, code, birth, username, PASSWORD).secret();
        // The enrolment used the window's codes: as if a little time had passed before the patient opens the app.
        jdbc.sql("update portal_account set totp_last_step = 0 where patient_id = ? and status = 'ACTIVE'").param(patient).update();
        // The app lives on another origin than the browser's Dossier (127.0.0.1 against localhost).
        String redirect = "http://127.0.0.1:" + port + "/portal/signin";
        Api.Response app = as("admin").post("/api/admin/smart-apps", Map.of("name", "My health diary", "redirectUris", List.of(redirect),
                "scopes", List.of("openid", "fhirUser", "launch/patient", "patient/*.rs"), "confidential", false, "forPatients", true));
        assertThat(app.status()).as(app.toString()).isEqualTo(201);
        String clientId = app.json().get("app").get("clientId").asString();
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));

        String returned;
        try (Browser phone = Browser.open(port, "en")) {
            phone.driver().manage().window().setSize(new Dimension(390, 844));
            phone.go("/oauth2/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(redirect)
                    + "&scope=" + enc("launch/patient openid fhirUser patient/*.rs") + "&state=journey&code_challenge=" + challenge
                    + "&code_challenge_method=S256");
            phone.waitForPathEquals("/portal/signin");
            phone.type("#username", username).type("#password", PASSWORD).click("#continue");
            phone.waitForPathEquals("/portal/signin/code");
            phone.type("#code", TotpService.codeAt(secret, Instant.now())).click("#verify");
            phone.waitForPathEquals("/portal/apps/consent");
            assertThat(phone.text("#portal-app-consent h1")).contains("My health diary");
            assertThat(phone.text("#portal-app-consent")).contains("read your record").contains("patient/*.rs");
            phone.assertEveryFieldLabelled();
            phone.screenshot("portal-app-consent");
            phone.click("#portal-app-allow-button");
            try {
                new WebDriverWait(phone.driver(), Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().startsWith(redirect + "?"));
            } catch (org.openqa.selenium.TimeoutException e) {
                throw new AssertionError("not sent back to the app: at " + phone.driver().getCurrentUrl() + " — " + phone.pageText(), e);
            }
            returned = phone.driver().getCurrentUrl();
        }
        assertThat(returned).contains("state=journey").contains("code=");
        String authorizationCode = URLDecoder.decode(returned.replaceAll(".*[?&]code=([^&]+).*", "$1"), StandardCharsets.UTF_8);
        String form = "grant_type=authorization_code&code=" + enc(authorizationCode) + "&redirect_uri=" + enc(redirect)
                + "&code_verifier=" + enc(verifier) + "&client_id=" + enc(clientId);
        HttpResponse<String> token = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        String access = Api.jsonMapper().readTree(token.body()).get("access_token").asString();
        assertThat(anonymous().withBearer(access).get("/fhir/Patient/" + patient).status()).isEqualTo(200);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
