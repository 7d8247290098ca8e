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
        trail.append(AuditRecord.at(e.at()).account(e.staffId(), e.username()).from(e.sourceAddress(), e.userAgent())
                .event("SECURITY", e.type()).resource(AuditResource.Account, e.staffId())
                .decision(AuditRecord.Decision.INFO, null).detail(e.detail()).build());
    }
}
