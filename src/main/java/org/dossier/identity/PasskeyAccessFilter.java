package org.dossier.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Spring Security's passkey filters answer before the authorization rules run, so their rules are
 * applied here first: a passkey sign-in follows the password; a passkey is registered by a fully
 * signed-in account, or by an account enrolling its first factor — never with a password alone on an
 * account that already has one.
 */
class PasskeyAccessFilter extends OncePerRequestFilter {

    private final AuthorizationManager<RequestAuthorizationContext> firstFactor;
    private final AuthorizationManager<RequestAuthorizationContext> mayEnrol;

    PasskeyAccessFilter(AuthorizationManager<RequestAuthorizationContext> firstFactor,
                        AuthorizationManager<RequestAuthorizationContext> mayEnrol) {
        this.firstFactor = firstFactor;
        this.mayEnrol = mayEnrol;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        AuthorizationManager<RequestAuthorizationContext> rule = path.startsWith("/webauthn/register") ? mayEnrol
                : path.equals("/webauthn/authenticate/options") || path.equals("/login/webauthn") ? firstFactor : null;
        if (rule != null) {
            var decision = rule.authorize(() -> SecurityContextHolder.getContext().getAuthentication(), new RequestAuthorizationContext(request));
            if (decision == null || !decision.isGranted()) {
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                response.getWriter().write("{\"type\":\"https://dossier.example/problems/unauthorized\",\"title\":\"Not signed in\","
                        + "\"status\":401,\"detail\":\"Sign in with your password first; a new passkey needs a full sign-in\"}");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
