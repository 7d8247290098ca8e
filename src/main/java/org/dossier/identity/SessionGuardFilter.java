package org.dossier.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * Ends a session that was revoked (on any node) or that passed its absolute lifetime of 12 hours, before
 * the request goes further. Idle expiry (15 minutes) is Spring Session's.
 */
class SessionGuardFilter extends OncePerRequestFilter {

    static final Duration ABSOLUTE_LIFETIME = Duration.ofHours(12);

    private final SessionRegistry sessions;
    private final Clock clock;

    SessionGuardFilter(SessionRegistry sessions, Clock clock) {
        this.sessions = sessions;
        this.clock = clock;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpSession session = request.getSession(false);
        if (session != null) {
            String ref = (String) session.getAttribute(SessionRegistry.REF_ATTRIBUTE);
            boolean expired = clock.millis() - session.getCreationTime() > ABSOLUTE_LIFETIME.toMillis();
            if (expired || (ref != null && sessions.isRevoked(ref))) {
                session.invalidate();
                SecurityContextHolder.clearContext();
                if (Pages.wantsPage(request)) {
                    // Say why the person is signed out: a session ended elsewhere (or frozen by the guard) is not a bug.
                    response.sendRedirect(request.getContextPath() + "/signin?ended");
                    return;
                }
            } else if (org.slf4j.MDC.get("accessReason") == null
                    && session.getAttribute(org.dossier.organization.Actor.STEP_UP_REASON_ATTRIBUTE) instanceof String[] given
                    && given.length == 2
                    && clock.millis() - Long.parseLong(given[1]) <= org.dossier.organization.Actor.STEP_UP_FRESHNESS.toMillis()) {
                // A page cannot send X-Dossier-Reason: the reason typed on the step-up page stands for it while the code
                // it came with is fresh (the request-id filter clears it at the end of the request).
                org.slf4j.MDC.put("accessReason", given[0].replaceAll("\\p{Cntrl}", " ").substring(0, Math.min(given[0].length(), 300)));
            }
        }
        chain.doFilter(request, response);
    }
}
