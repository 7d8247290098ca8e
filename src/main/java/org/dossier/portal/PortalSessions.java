package org.dossier.portal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.dossier.organization.Actor;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The portal's steps of a session: the password step remembered for the code step (five minutes), an enrolment waiting
 * for its authenticator, the signed-in patient kept under the portal's own key, and the actor of each request.
 */
@Component
public class PortalSessions {

    public static final String PENDING_SIGN_IN = "org.dossier.portal.pendingSignIn";
    public static final String PENDING_ENROLMENT = "org.dossier.portal.pendingEnrolment";
    /** The minor's record a guardian's session acts for (ADR 0050); absent: the account's own record. */
    static final String ACTING_FOR = "org.dossier.portal.actingFor";
    private static final String CSRF_TOKEN_ATTRIBUTE =
            org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository.class.getName() + ".CSRF_TOKEN";
    static final Duration STEP_LIFETIME = Duration.ofMinutes(5);
    static final Duration ABSOLUTE_LIFETIME = Duration.ofHours(12);
    /** When the patient last typed their authenticator's code again to confirm it is them (a step-up, as staff's). */
    static final String CONFIRMED_AT = "org.dossier.portal.confirmedAt";

    private final PortalAccounts accounts;
    private final Clock clock;

    PortalSessions(PortalAccounts accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    /** Remembers an account id for the next step (sign-in code or authenticator confirmation), for five minutes. */
    public void remember(HttpServletRequest request, String step, long accountId) {
        request.getSession(true).setAttribute(step, new long[]{accountId, clock.millis()});
    }

    /** The account id the step remembered, if still fresh; 0 when none. */
    public long remembered(HttpServletRequest request, String step) {
        HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(step) instanceof long[] v && v.length == 2
                && clock.millis() - v[1] <= STEP_LIFETIME.toMillis()) {
            return v[0];
        }
        return 0;
    }

    public void forget(HttpServletRequest request, String step) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.removeAttribute(step);
        }
    }

    /** Signs the patient in: a new session id (no fixation), the context under the portal's key. */
    public void signIn(HttpServletRequest request, HttpServletResponse response, PortalPrincipal principal) {
        forget(request, PENDING_SIGN_IN);
        request.changeSessionId();
        // A new CSRF token too, as after a staff sign-in: the one the sign-in form carried is not the signed-in session's.
        request.getSession().removeAttribute(CSRF_TOKEN_ATTRIBUTE);
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(PortalSecurity.signedIn(principal));
        SecurityContextHolder.setContext(context);
        PortalSecurity.contexts().saveContext(context, request, response);
    }

    /**
     * Whether the signed-in patient typed their authenticator's code within the staff's step-up window (5 minutes), at the
     * sign-in or since: what a download of their record asks, so that a session left open on a shared computer does not
     * hand its documents and access list to the next person (ADR 0049).
     */
    public boolean recentlyConfirmed(HttpServletRequest request) {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        if (!PortalSecurity.isPatient(a)) {
            return false;
        }
        Instant since = clock.instant().minus(Actor.STEP_UP_FRESHNESS);
        HttpSession session = request.getSession(false);
        Object confirmed = session == null ? null : session.getAttribute(CONFIRMED_AT);
        return ((PortalPrincipal) a.getPrincipal()).secondFactorAt().isAfter(since)
                || (confirmed instanceof Instant at && at.isAfter(since));
    }

    /**
     * The signed-in patient confirms it is them with their authenticator's code (checked, throttled and audited as the
     * sign-in's): downloads are then open for the step-up window. A wrong code is refused as {@code UnauthorizedException}.
     */
    public void confirm(HttpServletRequest request, String code) {
        actor(request);
        PortalPrincipal principal = (PortalPrincipal) SecurityContextHolder.getContext().getAuthentication().getPrincipal();
        accounts.confirm(principal, code, request.getRemoteAddr(), request.getHeader("User-Agent"));
        request.getSession(true).setAttribute(CONFIRMED_AT, clock.instant());
    }

    /** The actor of the signed-in patient's request (the chain let only such a patient in). */
    public Actor actor(HttpServletRequest request) {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        if (!PortalSecurity.isPatient(a)) {
            throw new org.dossier.platform.UnauthorizedException("Sign in to the patient portal");
        }
        PortalPrincipal principal = (PortalPrincipal) a.getPrincipal();
        // As a staff session: at most 12 hours from the sign-in, however active (idle expiry is Spring Session's). And the
        // account is read again at each request (one read by its key): a new enrolment or a new code issued ends the session.
        if (principal.secondFactorAt().plus(ABSOLUTE_LIFETIME).isBefore(clock.instant()) || !accounts.sessionValid(principal)) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.removeAttribute(PortalSecurity.CONTEXT_KEY);
            }
            SecurityContextHolder.clearContext();
            throw new org.dossier.platform.UnauthorizedException("Your session ended: sign in again");
        }
        return accounts.actor(principal, actingFor(request), ref(request), request.getRemoteAddr(), request.getHeader("User-Agent"));
    }

    /**
     * The minor's record this session acts for, or null for the account's own. Only what the guardian asked for: the
     * gateway reads the link again at each request and refuses (404, audited) once it is ended or has lapsed.
     */
    public Long actingFor(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(ACTING_FOR) instanceof Long minor ? minor : null;
    }

    /** Whether this request comes from a signed-in patient (the portal's context). */
    public boolean signedIn() {
        return PortalSecurity.isPatient(SecurityContextHolder.getContext().getAuthentication());
    }

    /** Switches the session to a minor's record (null: back to the account's own). */
    public void actFor(HttpServletRequest request, Long minorId) {
        if (minorId == null) {
            forget(request, ACTING_FOR);
        } else {
            request.getSession(true).setAttribute(ACTING_FOR, minorId);
        }
    }

    /** The session named in the trail by a digest of its id, never the id itself. */
    private static String ref(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return "none";
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(session.getId().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
