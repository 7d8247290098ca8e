package org.dossier.guard;

import org.dossier.audit.AuditAlarm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Alerts the security officer when the audit trail no longer matches what the server signed (CRITICAL: someone with the
 * database rewrote it; the server signs nothing until it is resolved), or when a witness cannot take the checkpoints
 * (HIGH). No account is frozen: the alert concerns no staff member, and the attacker is a database administrator.
 */
@Component
class AuditAlerts {

    private static final Logger log = LoggerFactory.getLogger(AuditAlerts.class);
    static final GuardSignal CHAIN_BROKEN = GuardSignal.AUDIT_CHAIN_BROKEN;
    static final GuardSignal WITNESS_UNAVAILABLE = GuardSignal.AUDIT_WITNESS_UNAVAILABLE;

    private final AlertLog alerts;

    AuditAlerts(AlertLog alerts) {
        this.alerts = alerts;
    }

    @EventListener
    void on(AuditAlarm alarm) {
        boolean broken = alarm.kind() == AuditAlarm.Kind.CHAIN_BROKEN;
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("problem", alarm.detail());
        evidence.put("verify", "/api/audit/verification");
        long id = alerts.raise(null, "system", alarm.at(), broken ? CHAIN_BROKEN : WITNESS_UNAVAILABLE, "NOTIFY", null, evidence,
                broken ? "CRITICAL" : "HIGH");
        log.error("GUARD: {} — alert {}", alarm.detail(), id);
    }
}
