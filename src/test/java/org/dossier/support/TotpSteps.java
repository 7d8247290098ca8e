package org.dossier.support;

import org.dossier.demo.DemoAccounts;
import org.dossier.identity.TotpService;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Authenticator codes for the demo accounts that no earlier sign-in of this test run used on the same server. A code's
 * time step is accepted once, and a wrong code counts toward the account's second-factor lockout (5 lock it), so tests
 * that share a server must never guess: each sign-in takes the next unused step (the current one, or the next, which the
 * server also accepts), and waits for a fresh step only when both are spent.
 */
public final class TotpSteps {

    private static final long STEP_SECONDS = 30;
    private static final Map<String, Long> LAST_USED = new HashMap<>();

    private TotpSteps() {
    }

    /** A code for {@code username} on the server at {@code port}, of a step no earlier call used there. */
    public static String next(int port, String username) {
        String key = port + "/" + username;
        while (true) {
            long now = Instant.now().getEpochSecond() / STEP_SECONDS;
            synchronized (LAST_USED) {
                long step = Math.max(now, LAST_USED.getOrDefault(key, Long.MIN_VALUE) + 1);
                if (step <= now + 1) {
                    LAST_USED.put(key, step);
                    return TotpService.codeAt(DemoAccounts.totpSecret(username), Instant.ofEpochSecond(step * STEP_SECONDS + 1));
                }
            }
            try {
                Thread.sleep(STEP_SECONDS * 1000 - System.currentTimeMillis() % (STEP_SECONDS * 1000) + 200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a fresh authenticator step", e);
            }
        }
    }
}
