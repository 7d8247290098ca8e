package org.dossier.support;

import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second administrator of the tests: a new account, or a role, facility or unit added, takes effect only once
 * another administrator than the requester approves it in a signed-in session with a second factor used in the last five
 * minutes. The demo's {@code admin2} does it here, in one browser session per server, confirmed again with a new
 * authenticator code when its second factor is no longer fresh.
 */
public final class Approvals {

    private static final Map<Integer, BrowserSession> SESSIONS = new ConcurrentHashMap<>();
    private static final Map<Integer, Instant> CONFIRMED = new ConcurrentHashMap<>();
    private static final Duration RECONFIRM_AFTER = Duration.ofMinutes(4);
    public static final String SECOND_ADMIN = "admin2";

    private Approvals() {
    }

    /** The session of the second administrator on this server, its second factor fresh. */
    public static synchronized BrowserSession secondAdministrator(int port) {
        BrowserSession session = SESSIONS.get(port);
        Instant confirmed = CONFIRMED.get(port);
        if (session == null) {
            session = BrowserSession.signedIn(port, SECOND_ADMIN);
            SESSIONS.put(port, session);
            CONFIRMED.put(port, Instant.now());
        } else if (confirmed.isBefore(Instant.now().minus(RECONFIRM_AFTER))) {
            Api.Response r = session.post("/api/auth/step-up", Map.of("code", BrowserSession.code(SECOND_ADMIN, 0)));
            if (r.status() != 204) {
                session = BrowserSession.signedIn(port, SECOND_ADMIN);
                SESSIONS.put(port, session);
            }
            CONFIRMED.put(port, Instant.now());
        }
        return session;
    }

    /** Approves the grant an administrator's request answered (202); returns the approval's answer (grant and account). */
    public static JsonNode approve(int port, Api.Response requested) {
        assertThat(requested.status()).as(requested.toString()).isEqualTo(202);
        long grant = requested.json().get("id").asLong();
        int version = requested.json().get("version").asInt();
        Api.Response approved = secondAdministrator(port).post("/api/staff/grants/" + grant + "/approve",
                Map.of("version", version, "note", "test approval"));
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        return approved.json();
    }

    /** Approves and returns the account as it became. */
    public static JsonNode approvedAccount(int port, Api.Response requested) {
        return approve(port, requested).get("account");
    }
}
