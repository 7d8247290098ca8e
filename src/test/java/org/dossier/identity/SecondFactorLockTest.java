package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.FactorGrantedAuthority;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Second-factor guessing (issue 17, "Sign-in"): wrong codes count per account on every channel whatever the password
 * did; five lock the second factor for a growing delay and alert the security officer; twenty in a day freeze the
 * account. Adding or replacing a factor needs a fresh second factor in a browser session, never an API token.
 */
class SecondFactorLockTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    @Autowired
    FactorChanges factorChanges;

    /** The wrong codes of these tests all come from this machine: they must not slow the other tests' sign-ins. */
    @AfterEach
    void forgetTheAddress() {
        jdbc.sql("delete from auth_throttle where throttle_key like 'address:%'").update();
    }

    private Api.Response token(String user, String code) {
        return anonymous().post("/api/auth/token", Map.of("username", user, "password", DemoAccounts.PASSWORD, "code", code));
    }

    private long alerts(String user, String signal) {
        return jdbc.sql("select count(*) from guard_alert where username = ? and signal = ? and status = 'OPEN'")
                .param(user).param(signal).query(Long.class).single();
    }

    @Test
    void fiveWrongCodesWithTheRightPasswordLockTheSecondFactorAndAlertTheSecurityOfficer() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        for (int i = 0; i < SecondFactorLock.LOCK_AFTER - 1; i++) {
            assertThat(token(user, String.format("%06d", i)).status()).as("wrong code " + (i + 1)).isEqualTo(401);
        }
        Api.Response fifth = token(user, "000099");
        assertThat(fifth.status()).as("the fifth wrong code locks: " + fifth).isEqualTo(429);
        assertThat(Integer.parseInt(fifth.header("Retry-After"))).isBetween(1, 60);
        assertThat(fifth.json().get("detail").asString()).contains("second factor is locked");
        assertThat(alerts(user, "SECOND_FACTOR_LOCKED")).as("the security officer is alerted").isEqualTo(1);

        Api.Response right = token(user, BrowserSession.code(user, 0));
        assertThat(right.status()).as("even the right code waits while locked").isEqualTo(429);
        BrowserSession browser = new BrowserSession(port);
        assertThat(browser.login(user, DemoAccounts.PASSWORD).status()).as("the password still works").isEqualTo(200);
        assertThat(browser.form("/login/totp", Map.of("code", BrowserSession.code(user, 0))).status())
                .as("the lock holds on every channel").isEqualTo(429);
        assertThat(jdbc.sql("select status from staff where username = ?").param(user).query(String.class).single()).isEqualTo("ACTIVE");

        jdbc.sql("update second_factor_lock set locked_until = now() - interval '1 second' where staff_id = (select id from staff where username = ?)")
                .param(user).update();
        for (int i = 0; i < SecondFactorLock.LOCK_AFTER - 1; i++) {
            assertThat(token(user, String.format("%06d", 100 + i)).status()).isEqualTo(401);
        }
        Api.Response again = token(user, "000199");
        assertThat(again.status()).isEqualTo(429);
        assertThat(Integer.parseInt(again.header("Retry-After"))).as("the second lock is longer").isBetween(61, 120);
        assertThat(alerts(user, "SECOND_FACTOR_LOCKED")).isEqualTo(2);
    }

    @Test
    void wrongCodesCountAcrossChannelsAndARightOneBeforeTheFifthRestartsTheCount() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        BrowserSession browser = new BrowserSession(port);
        assertThat(browser.login(user, DemoAccounts.PASSWORD).status()).isEqualTo(200);
        assertThat(browser.form("/login/totp", Map.of("code", "000001")).status()).isEqualTo(401);
        assertThat(browser.form("/login/recovery", Map.of("code", "aaaaa-bbbbb")).status()).isEqualTo(401);
        assertThat(token(user, "000002").status()).isEqualTo(401);
        assertThat(browser.login(user, DemoAccounts.PASSWORD).status()).as("a right password clears nothing").isEqualTo(200);
        assertThat(browser.form("/login/totp", Map.of("code", "000003")).status()).isEqualTo(401);
        Api.Response signedIn = browser.form("/login/totp", Map.of("code", BrowserSession.code(user, 0)));
        assertThat(signedIn.status()).as("a right code after four wrong ones works").isEqualTo(200);
        assertThat(signedIn.json().get("status").asString()).isEqualTo("SIGNED_IN");
        assertThat(jdbc.sql("select failures from second_factor_lock where staff_id = (select id from staff where username = ?)")
                .param(user).query(Integer.class).single()).as("the count restarts").isZero();

        // Step-up is a channel too: four wrong, then the count of the sign-in above is not added to them.
        for (int i = 0; i < SecondFactorLock.LOCK_AFTER - 1; i++) {
            assertThat(browser.post("/api/auth/step-up", Map.of("code", String.format("%06d", 10 + i))).status()).isEqualTo(401);
        }
        Api.Response fifth = browser.post("/api/auth/step-up", Map.of("code", "000020"));
        assertThat(fifth.status()).as("the fifth wrong step-up code locks").isEqualTo(429);
        assertThat(fifth.header("Retry-After")).isNotNull();
        assertThat(alerts(user, "SECOND_FACTOR_LOCKED")).isEqualTo(1);
    }

    @Test
    void twentyWrongCodesInADayFreezeTheAccountAndEndItsSessionsAndTokens() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        BrowserSession browser = BrowserSession.signedIn(port, user);
        String token = Api.fetchToken(port, user, DemoAccounts.PASSWORD);
        assertThat(anonymous().withBearer(token).get("/api/me").status()).isEqualTo(200);
        // Nineteen wrong codes earlier today, in locks the attacker waited out.
        jdbc.sql("insert into second_factor_lock (staff_id, failures, locks, locked_until, day_start, day_failures)"
                + " select id, 0, 3, null, now() - interval '20 hours', ? from staff where username = ?"
                + " on conflict (staff_id) do update set failures = 0, locks = 3, locked_until = null, day_start = excluded.day_start,"
                + " day_failures = excluded.day_failures")
                .param(SecondFactorLock.FREEZE_AFTER - 1).param(user).update();

        Api.Response twentieth = token(user, "000000");
        assertThat(twentieth.status()).as("the twentieth wrong code of the day: " + twentieth).isEqualTo(429);
        assertThat(twentieth.json().get("detail").asString()).contains("frozen");
        assertThat(jdbc.sql("select status from staff where username = ?").param(user).query(String.class).single()).isEqualTo("FROZEN");
        assertThat(anonymous().withBearer(token).get("/api/me").status()).as("its tokens are revoked").isEqualTo(401);
        assertThat(browser.get("/api/me").status()).as("its sessions are ended").isEqualTo(401);
        assertThat(alerts(user, "SECOND_FACTOR_GUESSING")).as("the security officer is alerted").isEqualTo(1);
        assertThat(jdbc.sql("select response from guard_alert where username = ? and signal = 'SECOND_FACTOR_GUESSING'")
                .param(user).query(String.class).single()).isEqualTo("FREEZE");
        assertThat(token(user, BrowserSession.code(user, 30)).status()).as("a frozen account gets no token").isIn(401, 429);

        long staffId = jdbc.sql("select id from staff where username = ?").param(user).query(Long.class).single();
        BrowserSession officer = BrowserSession.signedIn(port, "security");
        Api.Response unfrozen = officer.post("/api/guard/accounts/" + staffId + "/unfreeze", Map.of("reason", "the owner was phished; password reset"));
        assertThat(unfrozen.status()).as("unfreeze: " + unfrozen).isEqualTo(200);
        assertThat(count("second_factor_lock where staff_id = " + staffId)).as("the unfreeze restarts the counts").isZero();
    }

    @Test
    void aDayLaterTheDailyCountStartsAgain() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        assertThat(token(user, "000000").status()).isEqualTo(401);
        jdbc.sql("update second_factor_lock set day_start = now() - interval '25 hours', day_failures = ? where staff_id = "
                + "(select id from staff where username = ?)").param(SecondFactorLock.FREEZE_AFTER - 1).param(user).update();
        assertThat(token(user, "000001").status()).isEqualTo(401);
        assertThat(jdbc.sql("select status from staff where username = ?").param(user).query(String.class).single()).isEqualTo("ACTIVE");
    }

    @Test
    void locksGrowAndAreCapped() {
        assertThat(SecondFactorLock.lockFor(0).toMinutes()).isEqualTo(1);
        assertThat(SecondFactorLock.lockFor(1).toMinutes()).isEqualTo(2);
        assertThat(SecondFactorLock.lockFor(3).toMinutes()).isEqualTo(8);
        assertThat(SecondFactorLock.lockFor(99)).isEqualTo(SecondFactorLock.MAX_LOCK);
    }

    @Test
    void anApiTokenCannotReplaceTheAuthenticatorNorAddAPasskeyNorMakeRecoveryCodes() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        Api api = as(user);
        for (String path : List.of("/api/auth/enrolment/totp", "/api/auth/enrolment/totp/confirm", "/api/auth/recovery-codes",
                "/webauthn/register/options")) {
            Api.Response r = api.post(path, path.endsWith("confirm") ? Map.of("code", BrowserSession.code(user, 0)) : Map.of());
            assertThat(r.status()).as(path + ": " + r).isEqualTo(403);
            assertThat(r.json().get("detail").asString()).as(path).contains("never with an API token");
        }
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = ? and action = 'SECURITY:FACTOR_CHANGE_REFUSED'")
                .param(user).query(Long.class).single()).as("each refusal is audited").isEqualTo(4);
        assertThat(token(user, BrowserSession.code(user, 30)).status()).as("the authenticator still works").isEqualTo(201);
    }

    @Test
    void aBrowserSessionWithAFreshSecondFactorReplacesTheAuthenticatorAndAStaleOneMustStepUp() {
        String user = Accounts.newPhysician(as("admin"), credentials);

        Instant now = Instant.now();
        var stale = UsernamePasswordAuthenticationToken.authenticated(user, null, List.of(
                FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY).issuedAt(now.minusSeconds(900)).build(),
                FactorGrantedAuthority.withAuthority(Factors.TOTP).issuedAt(now.minusSeconds(360)).build()));
        assertThat(factorChanges.refusal(stale)).isEqualTo(FactorChanges.STALE_REFUSAL);
        var fresh = UsernamePasswordAuthenticationToken.authenticated(user, null, List.of(
                FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY).issuedAt(now.minusSeconds(900)).build(),
                FactorGrantedAuthority.withAuthority(Factors.TOTP).issuedAt(now.minusSeconds(60)).build()));
        assertThat(factorChanges.refusal(fresh)).isNull();
        var passwordOnly = UsernamePasswordAuthenticationToken.authenticated(user, null, List.of(
                FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY).issuedAt(now).build()));
        assertThat(factorChanges.refusal(passwordOnly)).as("a password alone never adds a factor to an enrolled account")
                .isEqualTo(FactorChanges.STALE_REFUSAL);

        // (Starting an enrolment sets the account's authenticator aside until the new one is confirmed: last.)
        BrowserSession browser = BrowserSession.signedIn(port, user);
        assertThat(browser.post("/api/auth/recovery-codes", Map.of()).status()).isEqualTo(200);
        Api.Response started = browser.post("/api/auth/enrolment/totp", Map.of());
        assertThat(started.status()).as("fresh: " + started).isEqualTo(200);
    }
}
