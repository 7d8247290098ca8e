package org.dossier.guard;

import org.dossier.organization.StaffAdministrationEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

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
    static final GuardSignal SIGNAL = GuardSignal.STAFF_GRANT_REQUESTED;

    private final AlertLog alerts;

    GrantAlerts(AlertLog alerts) {
        this.alerts = alerts;
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
        // MEDIUM: nothing is open yet, but a second administrator's approval would open patient data.
        long alertId = alerts.raise(e.actor().staffId(), e.actor().username(), e.at(), SIGNAL, "NOTIFY", e.actor().sourceAddress(),
                evidence, "MEDIUM");
        log.warn("GUARD: {} requested a grant for {} ({}) — alert {}", e.actor().username(), e.username(), e.detail(), alertId);
    }
}
