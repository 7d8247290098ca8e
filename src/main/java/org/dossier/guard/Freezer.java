package org.dossier.guard;

import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditReports;
import org.dossier.audit.AuditTrail;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Freezes an account: in one transaction the account becomes FROZEN and every session and token of it is
 * revoked (the account-change event does that), and an alert is stored with the evidence and the exposure
 * report of the last 24 hours; then the freeze enters the audit trail (and so the syslog copy) and the webhook
 * is called. The request that tripped it is refused.
 */
@Component
class Freezer {

    private static final Logger log = LoggerFactory.getLogger(Freezer.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate separately;
    private final OrganizationService organization;
    private final AuditReports reports;
    private final AuditTrail audit;
    private final AlertWebhook webhook;
    private final JsonMapper json;
    private final GuardMetrics metrics;

    Freezer(JdbcClient jdbc, PlatformTransactionManager transactions, OrganizationService organization, AuditReports reports,
            AuditTrail audit, AlertWebhook webhook, JsonMapper json, GuardMetrics metrics) {
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.separately = new TransactionTemplate(transactions);
        this.separately.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.organization = organization;
        this.reports = reports;
        this.audit = audit;
        this.webhook = webhook;
        this.json = json;
    }

    GuardException freeze(Actor actor, GuardSignal signal, Map<String, Object> evidence, Instant now) {
        Map<String, Object> full = new LinkedHashMap<>(evidence);
        full.put("channel", actor.channel().name());
        full.put("session", actor.sessionId());
        Long alertId = separately.execute(tx -> {
            if (organization.staffMember(actor.staffId()).status() != StaffStatus.ACTIVE) {
                return null; // frozen already, by a parallel request of the same account
            }
            organization.setStatusBySystem(actor.staffId(), StaffStatus.FROZEN, null, "frozen by the guard: " + signal);
            AuditReports.Exposure exposure = reports.exposureOf(actor.staffId(), now.minus(Duration.ofDays(1)), now.plusSeconds(1));
            return jdbc.sql("""
                            insert into guard_alert (staff_id, username, raised_at, signal, response, request_id, source_address, evidence,
                                                     exposure, status)
                            values (?, ?, ?, ?, 'FREEZE', ?, ?, cast(? as json), cast(? as json), 'OPEN') returning id""")
                    .param(actor.staffId()).param(actor.username()).param(Timestamp.from(now)).param(signal.name()).param(MDC.get("requestId"))
                    .param(actor.sourceAddress()).param(json.writeValueAsString(full)).param(json.writeValueAsString(exposure))
                    .query(Long.class).single();
        });
        if (alertId != null) {
            metrics.froze(signal);
            log.warn("GUARD froze account {} ({}): {} — alert {}", actor.username(), actor.staffId(), signal, alertId);
            audit.append(AuditRecord.at(now)
                    .actor(actor).roles(null)
                    .action(AuditAction.GUARD_FREEZE).resource(AuditResource.GuardAlert, alertId)
                    .decision(AuditRecord.Decision.INFO, AuditReason.GUARD_FREEZE).request(MDC.get("requestId"))
                    .detail("account frozen, every session and token revoked: " + signal).build());
            webhook.send(Map.of("alert", alertId, "response", "FREEZE", "signal", signal, "staffId", actor.staffId(),
                    "username", actor.username(), "at", now.toString(), "evidence", full,
                    "exposureReport", "/api/guard/alerts/" + alertId));
        }
        return new GuardException(GuardException.Response.FREEZE, signal,
                "This account has been frozen and all its sessions ended: its activity looked like data theft (" + signal
                        + "). The security officer has been alerted and is the only one who can unfreeze it.");
    }
}
