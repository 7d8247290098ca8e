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
            }
        }
        chain.doFilter(request, response);
    }
}
