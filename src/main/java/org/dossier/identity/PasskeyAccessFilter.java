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

    private final FactorChanges factorChanges;
    private final TokenIntrospector tokens;

    PasskeyAccessFilter(AuthorizationManager<RequestAuthorizationContext> firstFactor,
                        AuthorizationManager<RequestAuthorizationContext> mayEnrol, FactorChanges factorChanges, TokenIntrospector tokens) {
        this.tokens = tokens;
        this.firstFactor = firstFactor;
        this.mayEnrol = mayEnrol;
        this.factorChanges = factorChanges;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        AuthorizationManager<RequestAuthorizationContext> rule = path.startsWith("/webauthn/register") ? mayEnrol
                : path.equals("/webauthn/authenticate/options") || path.equals("/login/webauthn") ? firstFactor : null;
        if (rule == mayEnrol && bearer(request)) {
            // The token filter has not run yet: the token's owner is looked up only to audit the refusal.
            String owner = null;
            try {
                owner = tokens.introspect(request.getHeader("Authorization").substring(7).strip()).getName();
            } catch (RuntimeException e) {
                // an invalid token: refused all the same
            }
            factorChanges.refuseToken(owner, "register a passkey", request);
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.getWriter().write("{\"type\":\"https://dossier.example/problems/forbidden\",\"title\":\"Not allowed\","
                    + "\"status\":403,\"detail\":\"" + FactorChanges.TOKEN_REFUSAL + "\"}");
            return;
        }
        if (rule != null) {
            var decision = rule.authorize(() -> SecurityContextHolder.getContext().getAuthentication(), new RequestAuthorizationContext(request));
            if (decision == null || !decision.isGranted()) {
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                response.getWriter().write("{\"type\":\"https://dossier.example/problems/unauthorized\",\"title\":\"Not signed in\","
                        + "\"status\":401,\"detail\":\"Sign in with your password first; a new passkey needs a full sign-in\"}");
                return;
            }
            if (rule == mayEnrol) {
                // A new passkey: a fresh second factor in a browser session (or a first enrolment), never an API token.
                try {
                    factorChanges.require(SecurityContextHolder.getContext().getAuthentication(), "register a passkey", request);
                } catch (org.dossier.platform.ForbiddenException | org.dossier.platform.StepUpRequiredException e) {
                    boolean token = e instanceof org.dossier.platform.ForbiddenException;
                    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
                    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                    response.getWriter().write("{\"type\":\"https://dossier.example/problems/" + (token ? "forbidden" : "step-up-required")
                            + "\",\"title\":\"" + (token ? "Not allowed" : "Confirm it is you") + "\",\"status\":403,\"detail\":\""
                            + e.getMessage() + "\"" + (token ? "" : ",\"stepUp\":\"/api/auth/step-up\"") + "}");
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }

    private static boolean bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    }
}
