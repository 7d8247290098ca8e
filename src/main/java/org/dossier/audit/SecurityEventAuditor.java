package org.dossier.audit;

import org.dossier.identity.SecurityEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Records every security event (sign-ins and their failures, second factors, tokens, revocations,
 * step-ups) in the audit trail, before the request that caused it goes on: a sign-in that cannot be
 * accounted for does not happen.
 */
@Component
class SecurityEventAuditor {

    private final AuditTrail trail;

    SecurityEventAuditor(AuditTrail trail) {
        this.trail = trail;
    }

    @EventListener
    void on(SecurityEvent e) {
        trail.append(new AuditRecord(e.at(), e.staffId(), e.username(), null, null, null, e.sourceAddress(), e.userAgent(),
                "SECURITY:" + e.type().name(), null, "Account", e.staffId() == null ? null : e.staffId().toString(), null,
                AuditRecord.Decision.INFO, null, null, null, e.detail()));
    }
}
