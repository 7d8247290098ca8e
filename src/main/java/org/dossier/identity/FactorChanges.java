package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.StepUpRequiredException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Instant;

/**
 * Who may add or replace a second factor (an authenticator, a passkey) or make new recovery codes: a browser session
 * whose second factor was proven within {@link Actor#STEP_UP_FRESHNESS} — never an API token (refused, 403), never a
 * stale session (403, step-up required). The one exception is an account that has no second factor yet, enrolling
 * its first one after its password or enrolment link. Every refusal is a security event, so it is audited.
 */
@Component
class FactorChanges {

    private final TotpService totp;
    private final LoginResponses responses;
    private final OrganizationService organization;
    private final SecurityEvents events;
    private final Clock clock;

    FactorChanges(TotpService totp, LoginResponses responses, OrganizationService organization, SecurityEvents events, Clock clock) {
        this.totp = totp;
        this.responses = responses;
        this.organization = organization;
        this.events = events;
        this.clock = clock;
    }

    static final String TOKEN_REFUSAL = "A second factor is added or replaced, and recovery codes are made, only from a signed-in browser "
            + "session with a second factor confirmed in the last " + Actor.STEP_UP_FRESHNESS.toMinutes() + " minutes, never with an API token";
    static final String STALE_REFUSAL = "Confirm with your current second factor (step-up) before adding or replacing one: it must have been "
            + "used within the last " + Actor.STEP_UP_FRESHNESS.toMinutes() + " minutes";

    /** Refuses the change unless it is allowed; {@code what} names it for the audit trail. */
    void require(Authentication a, String what, HttpServletRequest request) {
        String refusal = refusal(a);
        if (refusal == null) {
            return;
        }
        if (request == null && org.springframework.web.context.request.RequestContextHolder.getRequestAttributes()
                instanceof org.springframework.web.context.request.ServletRequestAttributes attributes) {
            request = attributes.getRequest();
        }
        StaffMember member = a == null ? null : organization.staffByUsername(a.getName()).orElse(null);
        events.publish(SecurityEvent.Type.FACTOR_CHANGE_REFUSED, member == null ? null : member.id(), a == null ? null : a.getName(), request,
                what + ": " + (Factors.token(a) ? "API token" : "no fresh second factor"));
        if (Factors.token(a)) {
            throw new ForbiddenException(TOKEN_REFUSAL).audited();
        }
        throw new StepUpRequiredException(STALE_REFUSAL);
    }

    /** Audits the refusal of a factor change asked with an API token (whose owner, if the token is valid, is {@code username}). */
    void refuseToken(String username, String what, HttpServletRequest request) {
        StaffMember member = username == null ? null : organization.staffByUsername(username).orElse(null);
        events.publish(SecurityEvent.Type.FACTOR_CHANGE_REFUSED, member == null ? null : member.id(), username, request, what + ": API token");
    }

    /** Null when the change is allowed, else why not ({@link #TOKEN_REFUSAL} or {@link #STALE_REFUSAL}). */
    String refusal(Authentication a) {
        if (Factors.token(a)) {
            return TOKEN_REFUSAL;
        }
        StaffMember member = a == null ? null : organization.staffByUsername(a.getName()).orElse(null);
        if (member == null) {
            return null; // not signed in: the authorization rules answer
        }
        if (!Factors.full(a) && !responses.hasSecondFactor(member)) {
            return null; // first enrolment of an account that has no second factor yet
        }
        Instant last = Factors.lastSecondFactor(a);
        return last != null && !last.isBefore(clock.instant().minus(Actor.STEP_UP_FRESHNESS)) ? null : STALE_REFUSAL;
    }
}
