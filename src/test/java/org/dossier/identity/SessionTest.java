package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SessionTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    private String newUser() {
        return Accounts.newPhysician(as("admin"), credentials);
    }

    @Test
    void aPasswordAloneOpensNothingAndTheSecondFactorCompletesTheSignIn() {
        String user = newUser();
        BrowserSession browser = new BrowserSession(port);
        browser.refreshCsrf();
        assertThat(browser.sessionCookie()).as("no session before the password (the CSRF token is in a cookie)").isNull();
        Api.Response password = browser.login(user, DemoAccounts.PASSWORD);
        assertThat(password.status()).isEqualTo(200);
        assertThat(password.json().get("status").asString()).isEqualTo("SECOND_FACTOR_REQUIRED");
        assertThat(browser.sessionCookie()).as("the session begins with the password").isNotNull();

        Api.Response halfway = browser.get("/api/me");
        assertThat(halfway.status()).isEqualTo(401);
        assertThat(halfway.json().get("type").asString()).endsWith("second-factor-required");
        assertThat(browser.get("/api/patients?ipp=100000001").status()).isEqualTo(401);

        String beforeSecond = browser.sessionCookie();
        Api.Response second = browser.form("/login/totp", Map.of("code", BrowserSession.code(user, 0)));
        assertThat(second.json().get("status").asString()).isEqualTo("SIGNED_IN");
        assertThat(browser.sessionCookie()).as("rotated again at the second factor").isNotEqualTo(beforeSecond);
        assertThat(browser.get("/api/me").json().get("username").asString()).isEqualTo(user);
    }

    @Test
    void theSessionCookieIsHttpOnlyAndStrictlySameSite() {
        String user = newUser();
        BrowserSession browser = new BrowserSession(port);
        browser.refreshCsrf();
        Api.Response r = browser.login(user, DemoAccounts.PASSWORD);
        String setCookie = r.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("set-cookie"))
                .flatMap(e -> e.getValue().stream()).filter(c -> c.startsWith("DOSSIER_SESSION=")).findFirst().orElseThrow();
        assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
        assertThat(setCookie).as("no Secure flag over plain HTTP; Spring Session adds it when the request is secure").doesNotContain("Secure");
    }

    @Test
    void wrongAndReplayedCodesAreRefused() {
        String user = newUser();
        BrowserSession browser = new BrowserSession(port);
        browser.login(user, DemoAccounts.PASSWORD);
        assertThat(browser.form("/login/totp", Map.of("code", "000000")).status()).isEqualTo(401);
        String code = BrowserSession.code(user, 0);
        assertThat(browser.form("/login/totp", Map.of("code", code)).status()).isEqualTo(200);

        BrowserSession thief = new BrowserSession(port);
        thief.login(user, DemoAccounts.PASSWORD);
        Api.Response replay = thief.form("/login/totp", Map.of("code", code));
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.json().get("detail").asString()).isEqualTo("Invalid credentials");
        assertThat(thief.get("/api/me").status()).isEqualTo(401);
    }

    @Test
    void aRecoveryCodeSignsInOnce() {
        String user = newUser();
        BrowserSession browser = BrowserSession.signedIn(port, user);
        JsonNode codes = browser.post("/api/auth/recovery-codes", Map.of()).json().get("recoveryCodes");
        assertThat(codes).hasSize(10);
        String code = codes.get(3).asString();

        BrowserSession lostPhone = new BrowserSession(port);
        lostPhone.login(user, DemoAccounts.PASSWORD);
        assertThat(lostPhone.form("/login/recovery", Map.of("code", code)).json().get("status").asString()).isEqualTo("SIGNED_IN");
        assertThat(lostPhone.get("/api/me").status()).isEqualTo(200);

        BrowserSession again = new BrowserSession(port);
        again.login(user, DemoAccounts.PASSWORD);
        assertThat(again.form("/login/recovery", Map.of("code", code)).status()).isEqualTo(401);
        assertThat(jdbc.sql("select count(*) from recovery_code where code_hash = ?").param(code).query(Long.class).single())
                .as("codes are stored hashed").isZero();
    }

    @Test
    void stateChangingRequestsNeedTheCsrfToken() {
        BrowserSession browser = BrowserSession.signedIn(port, newUser());
        Api.Response withoutToken = browser.postWithoutCsrf("/api/patients/duplicate-check", Map.of("facilityId", 1, "patient", Map.of()));
        assertThat(withoutToken.status()).isEqualTo(403);
        BrowserSession forger = new BrowserSession(port);
        assertThat(forger.postWithoutCsrf("/login", Map.of()).status()).isEqualTo(403);
    }

    @Test
    void anIdleSessionExpiresAfterFifteenMinutesAndAnySessionAfterTwelveHours() {
        String user = newUser();
        BrowserSession idle = BrowserSession.signedIn(port, user);
        assertThat(idle.get("/api/me").status()).isEqualTo(200);
        jdbc.sql("update spring_session set last_access_time = last_access_time - 16 * 60000, expiry_time = expiry_time - 16 * 60000"
                + " where principal_name = ?").param(user).update();
        assertThat(idle.get("/api/me").status()).isEqualTo(401);

        BrowserSession old = BrowserSession.signedIn(port, user);
        assertThat(old.get("/api/me").status()).isEqualTo(200);
        jdbc.sql("update spring_session set creation_time = creation_time - 13 * 3600000 where principal_name = ?").param(user).update();
        assertThat(old.get("/api/me").status()).isEqualTo(401);
    }

    @Test
    void aUserListsAndEndsTheirOwnSessionsAndSignsOut() {
        String user = newUser();
        BrowserSession desk = BrowserSession.signedIn(port, user);
        BrowserSession ward = BrowserSession.signedIn(port, user);
        JsonNode sessions = desk.get("/api/auth/sessions").json();
        assertThat(sessions).hasSize(2);
        String wardRef = sessions.valueStream().filter(s -> !s.get("current").asBoolean()).findFirst().orElseThrow().get("ref").asString();
        assertThat(desk.delete("/api/auth/sessions/" + wardRef).status()).isEqualTo(204);
        assertThat(ward.get("/api/me").status()).isEqualTo(401);
        assertThat(desk.get("/api/me").status()).isEqualTo(200);
        assertThat(desk.delete("/api/auth/sessions/ffffffffffffffffffffffffffffffff").status()).isEqualTo(404);

        assertThat(desk.form("/logout", Map.of()).status()).isEqualTo(204);
        assertThat(desk.get("/api/me").status()).isEqualTo(401);
    }

    @Test
    void theSecurityOfficerEndsEverySessionAndTokenOfAnAccountAtOnce() {
        String user = newUser();
        BrowserSession session = BrowserSession.signedIn(port, user);
        String token = Api.fetchToken(port, user, DemoAccounts.PASSWORD);
        long id = jdbc.sql("select id from staff where username = ?").param(user).query(Long.class).single();

        assertThat(as("nurse").post("/api/staff/" + id + "/revoke-sessions", Map.of("reason", "x")).status()).isEqualTo(403);
        Api.Response revoked = as("security").post("/api/staff/" + id + "/revoke-sessions", Map.of("reason", "suspected theft"));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(revoked.json().get("revoked").asInt()).isEqualTo(2);
        assertThat(session.get("/api/me").status()).isEqualTo(401);
        assertThat(anonymous().withBearer(token).get("/api/me").status()).isEqualTo(401);
        assertThat(session.get("/api/auth/sessions").status()).isEqualTo(401);
    }
}
