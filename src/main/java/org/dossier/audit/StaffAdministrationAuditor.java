package org.dossier.audit;

import org.dossier.organization.Actor;
import org.dossier.organization.StaffAdministrationEvent;
import org.slf4j.MDC;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;


/**
 * Records what administrators do to accounts — every grant request, approval and rejection, the changes applied at
 * once, and every refused attempt (one's own account, one's own request, separation of duties, a token approving) —
 * before the request goes on: an account change that cannot be accounted for does not happen.
 */
@Component
class StaffAdministrationAuditor {

    private final AuditTrail trail;

    StaffAdministrationAuditor(AuditTrail trail) {
        this.trail = trail;
    }

    @EventListener
    void on(StaffAdministrationEvent e) {
        Actor a = e.actor();
        boolean refused = e.type() == StaffAdministrationEvent.Type.REFUSED;
        trail.append(AuditRecord.at(e.at())
                .actor(a)
                .event("STAFF", e.type())
                .resource(e.grantId() != null ? AuditResource.StaffGrant : AuditResource.Account,
                        e.grantId() != null ? e.grantId() : e.staffId())
                .decision(refused ? AuditRecord.Decision.DENY : AuditRecord.Decision.INFO, refused ? AuditReason.ADMINISTRATION : null)
                .request(MDC.get("requestId")).detail((e.username() == null ? "" : e.username() + ": ") + e.detail()).build());
    }
}
