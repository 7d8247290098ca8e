package org.dossier.identity;

import org.dossier.organization.Luhn;
import org.dossier.support.Api;
import org.dossier.support.Approvals;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Common and breached passwords, dressed up or not, are refused at enrolment and at every change, saying why. */
class CommonPasswordTest extends IntegrationTest {

    private static final List<String> WEAK = List.of("Password123!", "Summer2024!", "Hopital2026!", "azerty123", "P@ssw0rd2026!",
            "Motdepasse2026", "Infirmiere2026!", "Summer2024!!");

    private void refusedWithAReason(Api.Response r, String password) {
        assertThat(r.status()).as(password + ": " + r).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        String why = r.json().at("/errors/0/message").asString();
        assertThat(why).as(password).containsAnyOf("common", "at least 12");
        assertThat(why).as("says why, not which list").doesNotContain("nbvcxz").doesNotContain("blocklist");
    }

    @Test
    void commonPasswordsAreRefusedAtEnrolmentAndAtEveryChange() {
        String username = "dr.passe" + System.nanoTime() % 100_000;
        String payload = String.format("17%08d", Math.abs(username.hashCode()) % 100_000_000);
        Api.Response created = as("admin").post("/api/staff", Map.of("username", username, "displayName", "Dr Paule Passe",
                "rpps", payload + Luhn.checkDigit(payload), "roles", List.of("NURSE"), "facilityIds", List.of(1), "reason", "new hire"));
        long id = Approvals.approvedAccount(port, created).get("id").asLong();
        String token = as("admin").post("/api/staff/" + id + "/enrolment-link", Map.of()).json().get("token").asString();

        BrowserSession browser = new BrowserSession(port);
        assertThat(browser.form("/login/ott", Map.of("token", token)).status()).isEqualTo(200);
        for (String weak : WEAK) {
            refusedWithAReason(browser.post("/api/auth/password", Map.of("newPassword", weak)), weak);
        }
        String first = "la marée monte vite à Cancale";
        assertThat(browser.post("/api/auth/password", Map.of("newPassword", first)).status()).isEqualTo(204);

        String secret = browser.post("/api/auth/enrolment/totp", Map.of()).json().get("secret").asString();
        Api.Response confirmed = browser.post("/api/auth/enrolment/totp/confirm", Map.of("code", TotpService.codeAt(secret, Instant.now())));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);

        // A change, with the current password and the second factor just used: the same rule.
        for (String weak : WEAK) {
            refusedWithAReason(browser.post("/api/auth/password", Map.of("currentPassword", first, "newPassword", weak)), weak);
        }
        String next = "trois hérons gris sur la Loire";
        Api.Response changed = browser.post("/api/auth/password", Map.of("currentPassword", first, "newPassword", next));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);
        assertThat(new BrowserSession(port).login(username, next).json().get("status").asString()).isEqualTo("SECOND_FACTOR_REQUIRED");
        assertThat(new BrowserSession(port).login(username, first).status()).isEqualTo(401);
    }
}
