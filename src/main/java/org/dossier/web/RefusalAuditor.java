package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditTrail;
import org.dossier.organization.Actor;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.stream.Collectors;

/**
 * Writes the audit entry of a refusal that no service recorded itself (a role that may not take an action,
 * before any patient is named): every refused attempt is in the trail, and counts in the exposure report.
 */
@Component
class RefusalAuditor {

    private final AuditTrail audit;
    private final Clock clock;

    RefusalAuditor(AuditTrail audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    void record(HttpServletRequest request, String reasonCode, String message) {
        Object attribute = request.getAttribute(Actor.REQUEST_ATTRIBUTE);
        Actor actor = attribute instanceof Actor a ? a : null;
        String path = request.getRequestURI();
        audit.append(new AuditRecord(clock.instant(), actor == null ? null : actor.staffId(),
                actor == null ? (request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName()) : actor.username(),
                actor == null ? null : actor.roles().stream().map(Enum::name).sorted().collect(Collectors.joining(",")), null,
                actor == null ? null : actor.sessionId(), request.getRemoteAddr(), request.getHeader("User-Agent"),
                request.getMethod() + " " + (path.length() > 200 ? path.substring(0, 200) : path), null, null, null, null,
                AuditRecord.Decision.DENY, reasonCode, null, MDC.get("requestId"), message));
    }
}
