package org.dossier.guard;

import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

/**
 * Raises an alert that other modules' events call for (a grant requested, a second factor guessed at): an open row in
 * the security console and a post to the webhook, with the request's id. The guard's own freezes and step-ups keep
 * their paths (a separate transaction, the side pool), because the request that trips them is refused.
 */
@Component
class AlertLog {

    private final JdbcClient jdbc;
    private final AlertWebhook webhook;
    private final JsonMapper json;

    AlertLog(JdbcClient jdbc, AlertWebhook webhook, JsonMapper json) {
        this.jdbc = jdbc;
        this.webhook = webhook;
        this.json = json;
    }

    /** The alert's id. {@code response} is NOTIFY or FREEZE; {@code severity} LOW, MEDIUM, HIGH or CRITICAL; no staff for a system alert. */
    long raise(Long staffId, String username, Instant at, GuardSignal signal, String response, String sourceAddress,
               Map<String, Object> evidence, String severity) {
        long alertId = jdbc.sql("""
                        insert into guard_alert (staff_id, username, raised_at, signal, response, request_id, source_address, evidence,
                                                 status, severity)
                        values (?, ?, ?, ?, ?, ?, ?, cast(? as json), 'OPEN', ?) returning id""")
                .param(staffId).param(username).param(Timestamp.from(at)).param(signal.name()).param(response).param(MDC.get("requestId"))
                .param(sourceAddress).param(json.writeValueAsString(evidence)).param(severity).query(Long.class).single();
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("alert", alertId, "response", response, "severity", severity,
                "signal", signal, "username", username, "at", at.toString(), "evidence", evidence));
        if (staffId != null) {
            body.put("staffId", staffId);
        }
        webhook.send(body);
        return alertId;
    }
}
