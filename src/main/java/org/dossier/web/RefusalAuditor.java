package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditTrail;
import org.dossier.identity.RefusalRecorder;
import org.dossier.organization.Actor;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.NotFoundException;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

import java.time.Clock;

/**
 * Writes the audit entry of a refusal that no service recorded itself (a role that may not take an action,
 * before any patient is named; a record named by id that does not exist or is not the caller's to see): every
 * refused attempt is in the trail, and counts in the exposure report. The one place that does so for every
 * channel: the REST API ({@code ApiProblemHandler}), the pages ({@code PageErrors}), FHIR ({@code FhirCalls}) and the
 * security filters' refusals ({@link RefusalRecorder}).
 */
@Component
class RefusalAuditor implements RefusalRecorder {

    private final AuditTrail audit;
    private final Clock clock;

    RefusalAuditor(AuditTrail audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Audits {@code e} as a DENY entry if it is a refusal (not found, forbidden) that nothing audited yet, and marks it
     * audited so that no later handler writes a second entry. A missing record is audited only for an identified caller.
     */
    void audit(HttpServletRequest request, RuntimeException e) {
        if (e instanceof NotFoundException n && !n.isAudited() && request.getAttribute(Actor.REQUEST_ATTRIBUTE) != null) {
            // A record named by id that the caller cannot see (or that does not exist): enumeration shows in the trail.
            record(request, AuditReason.NOT_FOUND, e.getMessage());
            n.audited();
        } else if (e instanceof ForbiddenException f && !f.isAudited()) {
            record(request, f.reasonCode() == null ? AuditReason.ROLE : AuditReason.of(f.reasonCode()), e.getMessage());
            f.audited();
        }
    }

    @Override
    public void refused(HttpServletRequest request, ForbiddenException refusal) {
        audit(request, refusal);
    }

    void record(HttpServletRequest request, AuditReason reason, String message) {
        Object attribute = request.getAttribute(Actor.REQUEST_ATTRIBUTE);
        Actor actor = attribute instanceof Actor a ? a : null;
        String path = request.getRequestURI();
        String asked = request.getMethod() + " " + (path.length() > 200 ? path.substring(0, 200) : path);
        AuditRecord.Builder entry = AuditRecord.at(clock.instant());
        if (actor == null) {
            entry.account(null, request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName());
        } else {
            entry.actor(actor);
        }
        audit.append(entry.from(request.getRemoteAddr(), request.getHeader("User-Agent"))
                .action(AuditAction.ofHttpMethod(request.getMethod())).resource(AuditResource.Request, null)
                .decision(AuditRecord.Decision.DENY, reason).request(MDC.get("requestId"))
                .detail(asked + ": " + message).build());
    }
}
