package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.organization.Luhn;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EnrolmentTest extends IntegrationTest {

    private long newAccountWithoutCredentials(String username) {
        String payload = String.format("16%08d", Math.abs(username.hashCode()) % 100_000_000);
        Api.Response r = as("admin").post("/api/staff", Map.of("username", username, "displayName", "Dr Nouvelle Recrue",
                "rpps", payload + Luhn.checkDigit(payload), "roles", List.of("PHYSICIAN"), "facilityIds", List.of(1), "reason", "new hire"));
        return org.dossier.support.Approvals.approvedAccount(port, r).get("id").asLong();
    }

    @Test
    void aNewMemberOfStaffEnrolsThroughTheOneTimeLink() {
        String username = "dr.recrue" + System.nanoTime() % 100_000;
        long id = newAccountWithoutCredentials(username);
        assertThat(new BrowserSession(port).login(username, "anything at all here").status()).as("no password yet").isEqualTo(401);

        Api.Response link = as("admin").post("/api/staff/" + id + "/enrolment-link", Map.of());
        assertThat(link.status()).as(link.toString()).isEqualTo(201);
        String token = link.json().get("token").asString();

        BrowserSession browser = new BrowserSession(port);
        Api.Response opened = browser.form("/login/ott", Map.of("token", token));
        assertThat(opened.status()).as(opened.toString()).isEqualTo(200);
        assertThat(opened.json().get("status").asString()).isEqualTo("ENROLMENT_REQUIRED");
        assertThat(browser.get("/api/me").status()).as("enrolment first").isEqualTo(401);

        assertThat(browser.post("/api/auth/password", Map.of("newPassword", "short")).status()).isEqualTo(422);
        Api.Response named = browser.post("/api/auth/password", Map.of("newPassword", "recrue " + username + " 2026"));
        assertThat(named.json().at("/errors/0/message").asString()).contains("name");
        assertThat(browser.post("/api/auth/password", Map.of("newPassword", "correcthorsebatterystaple")).status()).isEqualTo(422);
        String password = "le cheval du lundi mange des pommes";
        assertThat(browser.post("/api/auth/password", Map.of("newPassword", password)).status()).isEqualTo(204);

        JsonNode enrolment = browser.post("/api/auth/enrolment/totp", Map.of()).json();
        String secret = enrolment.get("secret").asString();
        assertThat(enrolment.get("otpauthUri").asString()).startsWith("otpauth://totp/Dossier").contains("secret=" + secret);
        assertThat(enrolment.get("qrCode").asString()).startsWith("data:image/svg+xml;base64,");
        assertThat(browser.post("/api/auth/enrolment/totp/confirm", Map.of("code", "123456")).status()).isEqualTo(422);
        JsonNode confirmed = browser.post("/api/auth/enrolment/totp/confirm",
                Map.of("code", TotpService.codeAt(secret, Instant.now()))).json();
        assertThat(confirmed.get("recoveryCodes")).hasSize(10);
        assertThat(browser.get("/api/me").json().get("username").asString()).isEqualTo(username);

        assertThat(new BrowserSession(port).form("/login/ott", Map.of("token", token)).status()).as("the link works once").isEqualTo(401);
        BrowserSession next = new BrowserSession(port);
        assertThat(next.login(username, password).json().get("status").asString()).isEqualTo("SECOND_FACTOR_REQUIRED");
    }

    @Test
    void aStolenPasswordCannotEnrolTheThiefsAuthenticator() {
        BrowserSession thief = new BrowserSession(port);
        assertThat(thief.login("nurse", DemoAccounts.PASSWORD).json().get("status").asString()).isEqualTo("SECOND_FACTOR_REQUIRED");
        Api.Response enrol = thief.post("/api/auth/enrolment/totp", Map.of());
        assertThat(enrol.status()).isIn(401, 403);
        assertThat(thief.get("/api/me").status()).isEqualTo(401);
    }

    @Test
    void onlyAnAdministratorIssuesLinksAndNotForAnEnrolledAccount() {
        long enrolled = jdbc.sql("select id from staff where username = 'nurse'").query(Long.class).single();
        assertThat(as("physician").post("/api/staff/" + enrolled + "/enrolment-link", Map.of()).status()).isEqualTo(403);
        assertThat(as("admin").post("/api/staff/" + enrolled + "/enrolment-link", Map.of()).status()).isEqualTo(409);
    }
}
