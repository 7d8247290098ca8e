package org.dossier.guard;

import org.dossier.identity.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Alerts the security officer when an account's second factor is guessed at: locked after five wrong codes in a row
 * (response NOTIFY, severity MEDIUM) or the account frozen after twenty in a day (response FREEZE, severity HIGH). The
 * identity module counts and decides, and publishes the event; it does not know the guard.
 */
@Component
class SecondFactorAlerts {

    private static final Logger log = LoggerFactory.getLogger(SecondFactorAlerts.class);
    static final String LOCKED = "SECOND_FACTOR_LOCKED";
    static final String FROZEN = "SECOND_FACTOR_GUESSING";

    private final JdbcClient jdbc;
    private final AlertWebhook webhook;
    private final JsonMapper json;

    SecondFactorAlerts(JdbcClient jdbc, AlertWebhook webhook, JsonMapper json) {
        this.jdbc = jdbc;
        this.webhook = webhook;
        this.json = json;
    }

    @EventListener
    void on(SecurityEvent e) {
        boolean frozen = e.type() == SecurityEvent.Type.SECOND_FACTOR_FROZEN;
        if (!frozen && e.type() != SecurityEvent.Type.SECOND_FACTOR_LOCKED || e.staffId() == null) {
            return;
        }
        String signal = frozen ? FROZEN : LOCKED;
        String response = frozen ? "FREEZE" : "NOTIFY";
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("account", e.username());
        evidence.put("detail", e.detail());
        if (e.userAgent() != null) {
            evidence.put("userAgent", e.userAgent());
        }
        long alertId = jdbc.sql("""
                        insert into guard_alert (staff_id, username, raised_at, signal, response, request_id, source_address, evidence,
                                                 status, severity)
                        values (?, ?, ?, ?, ?, ?, ?, cast(? as json), 'OPEN', ?) returning id""")
                .param(e.staffId()).param(e.username()).param(Timestamp.from(e.at())).param(signal).param(response)
                .param(MDC.get("requestId")).param(e.sourceAddress()).param(json.writeValueAsString(evidence))
                .param(frozen ? "HIGH" : "MEDIUM").query(Long.class).single();
        log.warn("GUARD: {} on {} ({}) — alert {}", signal, e.username(), e.detail(), alertId);
        webhook.send(Map.of("alert", alertId, "response", response, "signal", signal, "staffId", e.staffId(),
                "username", e.username(), "at", e.at().toString(), "evidence", evidence));
    }
}
