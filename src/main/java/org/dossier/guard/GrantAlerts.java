package org.dossier.guard;

import org.dossier.organization.StaffAdministrationEvent;
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
 * Alerts the security officer on each grant request (a new account, or a role, facility or unit added to one): an
 * open alert in the console (response NOTIFY: nothing is frozen, nothing is asked of anyone) and the webhook. The
 * organization module publishes the request; it does not know the guard.
 */
@Component
class GrantAlerts {

    private static final Logger log = LoggerFactory.getLogger(GrantAlerts.class);
    static final String SIGNAL = "STAFF_GRANT_REQUESTED";

    private final JdbcClient jdbc;
    private final AlertWebhook webhook;
    private final JsonMapper json;

    GrantAlerts(JdbcClient jdbc, AlertWebhook webhook, JsonMapper json) {
        this.jdbc = jdbc;
        this.webhook = webhook;
        this.json = json;
    }

    @EventListener
    void on(StaffAdministrationEvent e) {
        if (e.type() != StaffAdministrationEvent.Type.GRANT_REQUESTED) {
            return;
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("grant", e.grantId());
        evidence.put("account", e.username());
        if (e.staffId() != null) {
            evidence.put("staffId", e.staffId());
        }
        evidence.put("request", e.detail());
        evidence.put("channel", e.actor().channel().name());
        evidence.put("review", "/api/staff/grants/" + e.grantId());
        long alertId = jdbc.sql("""
                        insert into guard_alert (staff_id, username, raised_at, signal, response, request_id, source_address, evidence, status)
                        values (?, ?, ?, ?, 'NOTIFY', ?, ?, cast(? as json), 'OPEN') returning id""")
                .param(e.actor().staffId()).param(e.actor().username()).param(Timestamp.from(e.at())).param(SIGNAL)
                .param(MDC.get("requestId")).param(e.actor().sourceAddress()).param(json.writeValueAsString(evidence))
                .query(Long.class).single();
        log.warn("GUARD: {} requested a grant for {} ({}) — alert {}", e.actor().username(), e.username(), e.detail(), alertId);
        webhook.send(Map.of("alert", alertId, "response", "NOTIFY", "signal", SIGNAL, "staffId", e.actor().staffId(),
                "username", e.actor().username(), "at", e.at().toString(), "evidence", evidence));
    }
}
