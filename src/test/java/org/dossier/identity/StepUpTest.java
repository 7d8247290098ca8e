package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.organization.Luhn;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Sensitive actions need a second factor used within five minutes. */
class StepUpTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    private Map<String, Object> account(String username) {
        String payload = String.format("15%08d", Math.abs(username.hashCode()) % 100_000_000);
        return Map.of("username", username, "displayName", "Dr Step " + username, "rpps", payload + Luhn.checkDigit(payload),
                "roles", List.of("PHYSICIAN"), "facilityIds", List.of(1), "reason", "test");
    }

    @Test
    void anAccountChangeWithAStaleSecondFactorIsRefusedAndAFreshOneWorks() {
        String staleToken = Api.fetchToken(port, "admin", DemoAccounts.PASSWORD);
        jdbc.sql("update api_token set issued_at = now() - interval '10 minutes' where token_hash = ?").param(ApiTokens.hash(staleToken)).update();
        heardByTheServer();
        Api.Response refused = anonymous().withBearer(staleToken).post("/api/staff", account("dr.stepstale" + System.nanoTime() % 10000));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("type").asString()).endsWith("step-up-required");
        assertThat(refused.json().get("stepUp").asString()).isEqualTo("/api/auth/step-up");

        Api.Response fresh = as("admin").post("/api/staff", account("dr.stepfresh" + System.nanoTime() % 10000));
        assertThat(fresh.status()).as("requested, waiting for a second administrator: " + fresh).isEqualTo(202);
    }

    @Test
    void aSessionStepsUpWithACodeButAWrongCodeDoesNot() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        BrowserSession browser = BrowserSession.signedIn(port, user);
        assertThat(browser.post("/api/auth/step-up", Map.of("code", "000000")).status()).isEqualTo(401);
        assertThat(browser.post("/api/auth/step-up", Map.of("code", BrowserSession.code(user, 30))).status()).isEqualTo(204);
        assertThat(browser.get("/api/me").status()).isEqualTo(200);
    }

    @Test
    void anApiTokenCannotStepUp() {
        Api.Response r = as("physician").post("/api/auth/step-up", Map.of("code", "123456"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("detail").asString()).contains("token");
    }
}
