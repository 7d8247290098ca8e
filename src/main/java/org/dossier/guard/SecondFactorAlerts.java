package org.dossier.guard;

import org.dossier.identity.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

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
    static final GuardSignal LOCKED = GuardSignal.SECOND_FACTOR_LOCKED;
    static final GuardSignal FROZEN = GuardSignal.SECOND_FACTOR_GUESSING;

    private final AlertLog alerts;
    private final GuardMetrics metrics;

    SecondFactorAlerts(AlertLog alerts, GuardMetrics metrics) {
        this.alerts = alerts;
        this.metrics = metrics;
    }

    @EventListener
    void on(SecurityEvent e) {
        boolean frozen = e.type() == SecurityEvent.Type.SECOND_FACTOR_FROZEN;
        if (!frozen && e.type() != SecurityEvent.Type.SECOND_FACTOR_LOCKED || e.staffId() == null) {
            return;
        }
        GuardSignal signal = frozen ? FROZEN : LOCKED;
        String response = frozen ? "FREEZE" : "NOTIFY";
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("account", e.username());
        evidence.put("detail", e.detail());
        if (e.userAgent() != null) {
            evidence.put("userAgent", e.userAgent());
        }
        long alertId = alerts.raise(e.staffId(), e.username(), e.at(), signal, response, e.sourceAddress(), evidence,
                frozen ? "HIGH" : "MEDIUM");
        if (frozen) {
            metrics.froze(signal);
        }
        log.warn("GUARD: {} on {} ({}) — alert {}", signal, e.username(), e.detail(), alertId);
    }
}
