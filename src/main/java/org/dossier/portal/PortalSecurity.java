package org.dossier.portal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.identity.PatientFactors;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.savedrequest.NullRequestCache;

import java.io.IOException;
import java.util.List;

/**
 * The portal's own security filter chain (ADR 0039), ahead of the staff chain, for /portal/** and /api/portal/**. It
 * keeps the patient's security context under its own session key, so the staff chain never sees a patient (and the
 * portal never sees a staff member, nor reads a bearer token); it lets in only a principal of this module with the role
 * PATIENT and a second factor. The staff chain, for its part, refuses any authentication carrying the role PATIENT.
 */
@Configuration(proxyBeanMethods = false)
class PortalSecurity {

    /** The session attribute of the patient's security context: not Spring Security's default, which the staff chain reads. */
    static final String CONTEXT_KEY = "DOSSIER_PORTAL_SECURITY_CONTEXT";
    static final String ROLE = "ROLE_PATIENT";
    static final String SECOND_FACTOR = "PORTAL_FACTOR_TOTP";

    /** Where the portal's security contexts are kept. */
    static SecurityContextRepository contexts() {
        HttpSessionSecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
        contexts.setSpringSecurityContextKey(CONTEXT_KEY);
        return contexts;
    }

    /** The authentication of a patient who passed both factors. */
    static Authentication signedIn(PortalPrincipal principal) {
        return UsernamePasswordAuthenticationToken.authenticated(principal, null,
                List.of(new SimpleGrantedAuthority(ROLE), new SimpleGrantedAuthority(SECOND_FACTOR)));
    }

    /** Whether this authentication is a patient signed in to the portal with both factors, and nothing else. */
    static boolean isPatient(Authentication a) {
        if (a == null || !a.isAuthenticated() || !(a.getPrincipal() instanceof PortalPrincipal)) {
            return false;
        }
        List<String> authorities = a.getAuthorities().stream().map(g -> g.getAuthority()).toList();
        return authorities.size() == 2 && authorities.contains(ROLE) && authorities.contains(SECOND_FACTOR);
    }

    @Bean
    @Order(1)
    @ConditionalOnWebApplication
    SecurityFilterChain portal(HttpSecurity http, PortalAccounts accounts) throws Exception {
        http.securityMatcher("/portal", "/portal/**", "/api/portal/**")
                .securityContext(c -> c.securityContextRepository(contexts()))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/portal/signin", "/portal/signin/code", "/portal/enrol", "/portal/enrol/authenticator").permitAll()
                        .anyRequest().access((authentication, context) -> new AuthorizationDecision(isPatient(authentication.get()))))
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(PatientFactors.CONTENT_SECURITY_POLICY)))
                .logout(logout -> logout.logoutUrl("/portal/signout").logoutSuccessUrl("/portal/signin?signedOut")
                        .addLogoutHandler((request, response, authentication) -> {
                            if (isPatient(authentication)) {
                                accounts.signedOut((PortalPrincipal) authentication.getPrincipal(), request.getRemoteAddr(),
                                        request.getHeader("User-Agent"));
                            }
                            var session = request.getSession(false);
                            if (session != null) {
                                session.removeAttribute(CONTEXT_KEY);
                            }
                        }))
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> notSignedIn(request, response))
                        .accessDeniedHandler((request, response, ex) -> refused(request, response)));
        return http.build();
    }

    private static void notSignedIn(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getRequestURI().startsWith("/api/")) {
            problem(response, 401, "unauthorized", "Not signed in", "Sign in to the patient portal (password and authenticator code)");
        } else {
            response.sendRedirect(request.getContextPath() + "/portal/signin");
        }
    }

    /** A signed-in session that is not a patient's (never a staff one: the portal does not read those). */
    private static void refused(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SecurityContext context = SecurityContextHolder.getContext();
        if (context.getAuthentication() == null || !isPatient(context.getAuthentication())) {
            notSignedIn(request, response);
            return;
        }
        problem(response, 403, "forbidden", "Not allowed", "You are not allowed to do this");
    }

    private static void problem(HttpServletResponse response, int status, String code, String title, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write("{\"type\":\"https://dossier.example/problems/" + code + "\",\"title\":\"" + title
                + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
    }
}
