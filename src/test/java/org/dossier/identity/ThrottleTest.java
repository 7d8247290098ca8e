package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ThrottleTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    @Test
    void failuresMakeEachAttemptWaitLongerButNeverLockTheAccountForGood() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        BrowserSession browser = new BrowserSession(port);
        for (int i = 0; i < LoginThrottle.FREE_FAILURES + 1; i++) {
            assertThat(browser.login(user, "wrong password number " + i).status()).isEqualTo(401);
        }
        Api.Response throttled = browser.login(user, DemoAccounts.PASSWORD);
        assertThat(throttled.status()).as("even the right password waits").isEqualTo(429);
        assertThat(Integer.parseInt(throttled.header("Retry-After"))).isPositive();

        jdbc.sql("update auth_throttle set last_failure = last_failure - interval '10 minutes' where throttle_key = ?")
                .param(LoginThrottle.accountKey(user)).update();
        Api.Response later = browser.login(user, DemoAccounts.PASSWORD);
        assertThat(later.status()).as("the wait is over").isEqualTo(200);
        assertThat(count("auth_throttle where throttle_key = '" + LoginThrottle.accountKey(user) + "'")).as("a success clears the count").isZero();
    }

    @Test
    void anAccountTakesAtMostAHundredFailuresPerHour() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        jdbc.sql("insert into auth_throttle (throttle_key, window_start, failures, last_failure) values (?, now() - interval '30 minutes', 100,"
                + " now() - interval '20 minutes')").param(LoginThrottle.accountKey(user)).update();
        assertThat(new BrowserSession(port).login(user, DemoAccounts.PASSWORD).status()).isEqualTo(429);
        assertThat(anonymous().post("/api/auth/token", java.util.Map.of("username", user, "password", DemoAccounts.PASSWORD,
                "code", BrowserSession.code(user, 0))).status()).as("the token endpoint obeys the same limit").isEqualTo(429);
        jdbc.sql("update auth_throttle set window_start = now() - interval '61 minutes' where throttle_key = ?")
                .param(LoginThrottle.accountKey(user)).update();
        assertThat(new BrowserSession(port).login(user, DemoAccounts.PASSWORD).status()).as("a new hour, a new chance").isEqualTo(200);
    }

    @Test
    void delaysGrowAndAreCapped() {
        assertThat(LoginThrottle.delay(LoginThrottle.FREE_FAILURES).toSeconds()).isZero();
        assertThat(LoginThrottle.delay(LoginThrottle.FREE_FAILURES + 1).toSeconds()).isEqualTo(1);
        assertThat(LoginThrottle.delay(LoginThrottle.FREE_FAILURES + 4).toSeconds()).isEqualTo(8);
        assertThat(LoginThrottle.delay(99)).isEqualTo(LoginThrottle.MAX_DELAY);
    }

    @Test
    void anUnknownUserAndAWrongPasswordLookAlikeAndTakeComparableTime() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        List<Long> unknown = new ArrayList<>();
        List<Long> wrong = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            Api.Response a = new BrowserSession(port).login("no.such.user." + i, "some password " + i);
            unknown.add(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            Api.Response b = new BrowserSession(port).login(user + (i % 2 == 0 ? "" : ""), "some password " + i);
            wrong.add(System.nanoTime() - t1);
            assertThat(a.status()).isEqualTo(401);
            assertThat(b.status()).isEqualTo(401);
            assertThat(a.body()).isEqualTo(b.body());
        }
        jdbc.sql("delete from auth_throttle where throttle_key = ?").param(LoginThrottle.accountKey(user)).update();
        Collections.sort(unknown);
        Collections.sort(wrong);
        double ratio = (double) unknown.get(2) / wrong.get(2);
        assertThat(ratio).as("an unknown user also costs a password hash").isBetween(0.33, 3.0);
    }
}
