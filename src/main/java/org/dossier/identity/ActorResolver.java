package org.dossier.identity;

import org.dossier.platform.FacilityScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthentication;
import org.springframework.stereotype.Component;

/**
 * Builds the {@link Actor} of a fully authenticated request. The account is read afresh on every request,
 * so a suspension, a freeze or a role change applies at once on every node.
 */
@Component
public class ActorResolver {

    private final OrganizationService organization;

    ActorResolver(OrganizationService organization) {
        this.organization = organization;
    }

    /** The actor, or null when the request is not fully authenticated as an active staff member. */
    public Actor resolve(Authentication authentication, HttpServletRequest request) {
        if (!Factors.full(authentication)) {
            return null;
        }
        String source = request == null ? null : request.getRemoteAddr();
        String agent = request == null ? null : request.getHeader("User-Agent");
        if (authentication instanceof BearerTokenAuthentication bearer && bearer.getPrincipal() instanceof PatientAppPrincipal patient) {
            // A patient's app (ADR 0045): the FHIR API only, acting as the patient on their own record, as the portal does.
            if (request == null || !(request.getRequestURI().equals("/fhir") || request.getRequestURI().startsWith("/fhir/"))) {
                return null;
            }
            return scoped(patientActor(patient, source, agent));
        }
        if (authentication instanceof BearerTokenAuthentication bearer && bearer.getPrincipal() instanceof TokenPrincipal token
                && token.app() != null) {
            // A SMART app's token reaches the FHIR API only, and every audit entry of its requests names the app.
            if (request == null || !(request.getRequestURI().equals("/fhir") || request.getRequestURI().startsWith("/fhir/"))) {
                return null;
            }
            return scoped(appActor(token, source, agent));
        }
        if (authentication instanceof BearerTokenAuthentication bearer && bearer.getPrincipal() instanceof TokenPrincipal token) {
            return scoped(Actor.of(token.member(), "token:" + token.tokenId(), source, agent, Actor.Channel.TOKEN, token.issuedAt()));
        }
        StaffMember member = organization.staffByUsername(authentication.getName()).orElse(null);
        if (member == null || member.status() != StaffStatus.ACTIVE) {
            return null;
        }
        HttpSession session = request == null ? null : request.getSession(false);
        String ref = session == null ? null : (String) session.getAttribute(SessionRegistry.REF_ATTRIBUTE);
        return scoped(Actor.of(member, ref == null ? null : "session:" + ref, source, agent, Actor.Channel.SESSION,
                Factors.lastSecondFactor(authentication)));
    }

    /**
     * The actor a SMART app's token names, wherever it was sent: only to put its refusal outside {@code /fhir} in the audit
     * trail under the app's name. It opens nothing (no facility scope is set).
     */
    Actor refusedApp(Authentication authentication, HttpServletRequest request) {
        if (authentication instanceof BearerTokenAuthentication bearer && bearer.getPrincipal() instanceof TokenPrincipal token
                && token.app() != null) {
            return appActor(token, request.getRemoteAddr(), request.getHeader("User-Agent"));
        }
        if (authentication instanceof BearerTokenAuthentication bearer && bearer.getPrincipal() instanceof PatientAppPrincipal patient) {
            return patientActor(patient, request.getRemoteAddr(), request.getHeader("User-Agent"));
        }
        return null;
    }

    /**
     * The actor of a patient's app request, as the portal makes a patient's (ADR 0039): the role PATIENT alone, confined to
     * their own record in its facility, the portal account's negative id (no staff account has it), named
     * {@code patient:portal-account-<id>} (ADR 0058); the session reference names the app, so "who opened my record" tells an app's reads apart.
     */
    private static Actor patientActor(PatientAppPrincipal patient, String source, String agent) {
        PatientSignIns.Holder h = patient.holder();
        AppGrant app = patient.app();
        return new Actor(-h.accountId(), "patient:" + h.label(), java.util.Set.of(org.dossier.organization.Role.PATIENT),
                java.util.Set.of(h.facilityId()), java.util.Set.of(), "smart:" + app.clientId() + ":"
                + app.authorizationId().substring(0, Math.min(8, app.authorizationId().length())), source, agent == null ? "" : agent,
                Actor.Channel.TOKEN, patient.issuedAt(), h.patientId());
    }

    private static Actor appActor(TokenPrincipal token, String source, String agent) {
        AppGrant app = token.app();
        return Actor.of(token.member(), "smart:" + app.clientId() + ":" + app.authorizationId().substring(0, Math.min(8,
                app.authorizationId().length())), source, agent, Actor.Channel.TOKEN, token.issuedAt());
    }

    /** From here on, this request's database connections see only the actor's facilities (row-level security). */
    private static Actor scoped(Actor actor) {
        FacilityScope.set(actor.facilityIds());
        return actor;
    }
}
