package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.platform.DatabaseAvailability;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.annotation.DirtiesContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database restart (the postmaster killed) takes the listening connection with it: whatever was changed while the
 * node could not hear must not be answered from memory afterwards (ADR 0037). This server has its own cluster.
 */
@DirtiesContext
class RestartForgetsTokensTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;
    @Autowired
    ApiTokens tokens;
    @Autowired
    LiveTokens live;
    @Autowired
    DatabaseAvailability availability;
    @Value("${dossier.data-dir}")
    Path dataDir;

    @Test
    void aTokenRememberedBeforeARestartIsReadAgainAfterIt() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        Api.Response issued = anonymous().post("/api/auth/token", Map.of("username", user, "password", DemoAccounts.PASSWORD,
                "code", BrowserSession.code(user, 0)));
        Api caller = anonymous().withBearer(issued.json().get("token").asString());
        assertThat(caller.get("/api/me").status()).isEqualTo(200);
        assertThat(tokens.remembered()).as("remembered").isPositive();
        long staff = fixtures().staffId(user);

        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0).strip());
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean wentDown = false;
        while (System.nanoTime() < deadline && !(wentDown && availability.isUp())) {
            wentDown |= !availability.isUp();
            Thread.sleep(20);
        }
        assertThat(availability.isUp()).as("the database is back").isTrue();
        // A barrier sent before the listener listens again is never heard: ask again until one comes back.
        boolean listening = false;
        for (int attempt = 0; attempt < 15 && !listening; attempt++) {
            listening = live.awaitHeard(Duration.ofSeconds(1));
        }
        assertThat(listening).as("listening again").isTrue();

        // Revoked with nobody told (as while the node could not hear): only forgetting at the gap refuses it now.
        jdbc.sql("alter table api_token disable trigger api_token_changed").update();
        try {
            jdbc.sql("update api_token set revoked_at = now() where staff_id = ?").param(staff).update();
        } finally {
            jdbc.sql("alter table api_token enable trigger api_token_changed").update();
        }
        assertThat(caller.get("/api/me").status()).as("read again after the restart: revoked").isEqualTo(401);
    }
}
