package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApiTokenTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    private Api.Response token(String username, String password, String code) {
        Map<String, Object> body = new HashMap<>();
        body.put("username", username);
        body.put("password", password);
        body.put("code", code);
        return anonymous().post("/api/auth/token", body);
    }

    @Test
    void passwordAndACurrentCodeGiveATokenThatOpensTheApi() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        Api.Response issued = token(user, DemoAccounts.PASSWORD, BrowserSession.code(user, 0));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String token = issued.json().get("token").asString();
        assertThat(token).startsWith("dst_").hasSizeGreaterThan(40);
        assertThat(issued.json().get("expiresIn").asLong()).isBetween(3500L, 3600L);
        assertThat(anonymous().withBearer(token).get("/api/me").json().get("username").asString()).isEqualTo(user);
        assertThat(jdbc.sql("select count(*) from api_token where token_hash = ?").param(token).query(Long.class).single())
                .as("only a hash is stored").isZero();
    }

    @Test
    void everyWrongPartGetsTheSameAnswer() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        Api.Response unknownUser = token("nobody.here", DemoAccounts.PASSWORD, "123456");
        Api.Response wrongPassword = token(user, "not-the-password-at-all", BrowserSession.code(user, 0));
        Api.Response wrongCode = token(user, DemoAccounts.PASSWORD, "000000");
        Api.Response noCode = token(user, DemoAccounts.PASSWORD, null);
        for (Api.Response r : new Api.Response[]{unknownUser, wrongPassword, wrongCode, noCode}) {
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertThat(r.json().get("detail").asString()).isEqualTo("Invalid credentials");
        }
    }

    @Test
    void aCodeIsAcceptedOnce() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        String code = BrowserSession.code(user, 0);
        assertThat(token(user, DemoAccounts.PASSWORD, code).status()).isEqualTo(201);
        assertThat(token(user, DemoAccounts.PASSWORD, code).status()).as("replayed code").isEqualTo(401);
        assertThat(token(user, DemoAccounts.PASSWORD, BrowserSession.code(user, -60)).status()).as("an old code").isEqualTo(401);
    }

    @Test
    void aTokenLastsAtMostAnHour() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        Map<String, Object> body = Map.of("username", user, "password", DemoAccounts.PASSWORD, "code", BrowserSession.code(user, 0),
                "lifetimeMinutes", 600);
        JsonNode issued = anonymous().post("/api/auth/token", body).json();
        assertThat(Instant.parse(issued.get("expiresAt").asString())).isBefore(Instant.now().plusSeconds(3601));
    }

    @Test
    void revokedAndExpiredTokensAreRefused() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        String first = token(user, DemoAccounts.PASSWORD, BrowserSession.code(user, 0)).json().get("token").asString();
        Api holder = anonymous().withBearer(first);
        JsonNode mine = holder.get("/api/auth/tokens").json();
        assertThat(mine).hasSize(1);
        assertThat(holder.delete("/api/auth/tokens/" + mine.get(0).get("id").asLong()).status()).isEqualTo(204);
        Api.Response afterRevoke = holder.get("/api/me");
        assertThat(afterRevoke.status()).isEqualTo(401);
        assertThat(afterRevoke.header("WWW-Authenticate")).contains("invalid_token");

        String second = token(user, DemoAccounts.PASSWORD, BrowserSession.code(user, 30)).json().get("token").asString();
        assertThat(anonymous().withBearer(second).get("/api/me").status()).isEqualTo(200);
        jdbc.sql("update api_token set issued_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' where staff_id = "
                + "(select id from staff where username = ?)").param(user).update();
        heardByTheServer();
        assertThat(anonymous().withBearer(second).get("/api/me").status()).as("expired").isEqualTo(401);
        assertThat(anonymous().withBearer("dst_forged-token-value").get("/api/me").status()).isEqualTo(401);
    }

    @Test
    void aTokenCarriesExactlyItsOwnersRights() {
        assertThat(as("admin").get("/api/patients?ipp=100000001").status()).isEqualTo(403);
        assertThat(as("frontdesk").get("/api/patients?ipp=100000001").status()).isEqualTo(200);
        assertThat(as("physician.sud").get("/api/me").json().get("facilityIds").get(0).asInt()).isEqualTo(2);
    }

    @Test
    void suspendingAnAccountEndsItsTokensAtOnce() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        String t = token(user, DemoAccounts.PASSWORD, BrowserSession.code(user, 0)).json().get("token").asString();
        long id = jdbc.sql("select id from staff where username = ?").param(user).query(Long.class).single();
        Api.Response suspended = as("admin").post("/api/staff/" + id + "/status", Map.of("version", 1, "status", "SUSPENDED",
                "reason", "left the hospital"));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        assertThat(anonymous().withBearer(t).get("/api/me").status()).isEqualTo(401);
        assertThat(token(user, DemoAccounts.PASSWORD, BrowserSession.code(user, 30)).status()).as("no new token either").isEqualTo(401);
    }

    @Test
    void nothingButSignInHealthAndTheApiDescriptionAnswersWithoutCredentials() {
        assertThat(anonymous().get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
        assertThat(anonymous().get("/api/docs").status()).isEqualTo(200);
        for (String path : new String[]{"/api/me", "/api/patients/1", "/api/staff", "/api/facilities", "/api/inpatients",
                "/api/patients/1/chart", "/actuator/env", "/api/auth/sessions", "/api/auth/tokens"}) {
            Api.Response r = anonymous().get(path);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.contentType()).as(path).contains("json");
        }
        assertThat(anonymous().withBearer("dst_nonsense").get("/api/me").status()).isEqualTo(401);
    }
}
