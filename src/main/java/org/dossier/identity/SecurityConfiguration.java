package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.authentication.ott.JdbcOneTimeTokenService;
import org.springframework.security.authentication.ott.OneTimeTokenService;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.authorization.EnableMultiFactorAuthentication;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.annotation.web.configurers.LogoutConfigurer;
import org.springframework.security.config.annotation.web.configurers.WebAuthnConfigurer;
import org.springframework.security.config.annotation.web.configurers.ott.OneTimeTokenLoginConfigurer;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.webauthn.authentication.PublicKeyCredentialRequestOptionsFilter;
import org.springframework.security.web.webauthn.authentication.WebAuthnAuthenticationFilter;
import org.springframework.security.web.webauthn.management.JdbcPublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.JdbcUserCredentialRepository;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.beans.factory.annotation.Value;
import java.util.Set;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Nothing answers without a full sign-in — a password (or a one-time enrolment link) plus a second
 * factor (passkey, authenticator code or recovery code) — or a valid API token, except sign-in itself,
 * enrolment, health and the API description. See docs/security/authentication.md.
 */
@Configuration(proxyBeanMethods = false)
@EnableMultiFactorAuthentication(authorities = {})
class SecurityConfiguration {

    @Bean
    PasswordEncoder passwordEncoder() {
        return Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    }

    @Bean
    OneTimeTokenService oneTimeTokenService(JdbcOperations jdbc, Clock clock) {
        JdbcOneTimeTokenService service = new JdbcOneTimeTokenService(jdbc);
        service.setClock(clock);
        return service;
    }

    @Bean
    PublicKeyCredentialUserEntityRepository passkeyUsers(JdbcOperations jdbc) {
        return new JdbcPublicKeyCredentialUserEntityRepository(jdbc);
    }

    @Bean
    UserCredentialRepository passkeyCredentials(JdbcOperations jdbc) {
        return new JdbcUserCredentialRepository(jdbc);
    }

    /** The password check, as the one provider of the global authentication manager (form login, API tokens). */
    @Bean
    ThrottledPasswordProvider passwordProvider(StaffUserDetailsService users, PasswordEncoder encoder, LoginThrottle throttle,
                                               SecurityEvents events, OrganizationService organization) {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(users);
        passwords.setPasswordEncoder(encoder);
        return new ThrottledPasswordProvider(passwords, throttle, events, organization);
    }

    /** What answers without credentials under /api and /fhir; a token sent there is still checked (a bad one is refused). */
    private static final String[] PUBLIC_API = {"/api/docs", "/api/docs/**", "/api/auth/token", "/api/auth/csrf", "/api/auth/status",
            "/fhir/metadata", "/fhir/.well-known/smart-configuration"};
    private static final String ENROLMENT_API = "/api/auth/enrolment/**";
    private static final String PASSWORD_API = "/api/auth/password";

    /**
     * Spring Security would wrap every filter of every request in an observation (and every authentication and
     * authorization); nothing here collects them. Disabling them by name (application.yaml) leaves the wrapping in place,
     * which was most of their cost: this removes it (issue 21, ADR 0059).
     */
    @Bean
    SecurityObservationSettings noSpringSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * A bearer token sent to the API or to FHIR (ADR 0059): the staff chain's token check, rules, refusals and headers,
     * without what only a browser needs — no session made or read, no CSRF (a token is not sent by a browser on its own),
     * no sign-in, passkey, one-time link or sign-out filter, no saved request. Ordered after the portal's and the metrics
     * chain, which keep their paths, and before the staff chain, which still takes a token anywhere else.
     */
    @Bean
    @Order(2)
    @ConditionalOnWebApplication
    SecurityFilterChain bearerTokens(HttpSecurity http, TokenIntrospector tokens, ActorResolver actors, RefusalRecorder refusals)
            throws Exception {
        AuthorizationManager<RequestAuthorizationContext> full = when(Factors::full);
        http.securityMatcher(SecurityConfiguration::tokenForTheApi)
                .authorizeHttpRequests(auth -> auth.requestMatchers(PUBLIC_API).permitAll()
                        // As on the staff chain, where these rules grant any full sign-in and a token is one: the refusal of a
                        // factor or password change with a token is FactorChanges' and AuthService's (403, audited).
                        .requestMatchers(ENROLMENT_API, PASSWORD_API).access(full)
                        .anyRequest().access(SecurityConfiguration::staffOrApp))
                .oauth2ResourceServer(o -> o.opaqueToken(t -> t.introspector(tokens)).authenticationEntryPoint(SecurityConfiguration::badToken))
                // The token's authentication lives in a request attribute only: the session filter that STATELESS brings finds
                // it there and passes, never reading the session of a cookie that came along.
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
                .requestCache(cache -> cache.disable())
                .csrf(csrf -> csrf.disable())
                .logout(logout -> logout.disable())
                // Every request here carries a token: it is authenticated by it or refused (badToken), never anonymous.
                .anonymous(anonymous -> anonymous.disable())
                .headers(SecurityConfiguration::headers)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint(SecurityConfiguration::notSignedIn)
                        .accessDeniedHandler((request, response, ex) -> refused(request, response, ex, actors, refusals)));
        return http.build();
    }

    @Bean
    @ConditionalOnWebApplication
    SecurityFilterChain security(HttpSecurity http, LoginResponses responses,
                                 TotpService totp, RecoveryCodes recoveryCodes, LoginThrottle throttle, SecurityEvents events,
                                 OrganizationService organization, SessionRegistry sessions, TokenIntrospector tokens,
                                 OneTimeTokenService oneTimeTokens, SecondFactorLock secondFactorLock, FactorChanges factorChanges, Clock clock,
                                 ActorResolver actors, RefusalRecorder refusals,
                                 @Value("${dossier.webauthn.rp-id:localhost}") String rpId,
                                 @Value("${dossier.webauthn.origins:http://localhost:8080}") Set<String> origins) throws Exception {
        SecondFactorFilter secondFactor = new SecondFactorFilter(totp, recoveryCodes, throttle, events, organization, secondFactorLock, clock);
        secondFactor.setAuthenticationSuccessHandler(responses);
        secondFactor.setAuthenticationFailureHandler(responses);
        secondFactor.setSecurityContextRepository(new HttpSessionSecurityContextRepository());
        CsrfTokens csrfTokens = new CsrfTokens();
        secondFactor.setSessionAuthenticationStrategy(nextStep(csrfTokens));

        AuthorizationManager<RequestAuthorizationContext> firstFactor = when(Factors::firstFactor);
        AuthorizationManager<RequestAuthorizationContext> full = when(Factors::full);
        // Enrolling a factor with the first factor alone is allowed only to an account that has none yet:
        // otherwise a stolen password could enrol the thief's own authenticator.
        AuthorizationManager<RequestAuthorizationContext> mayEnrol = when(a -> Factors.full(a)
                || (Factors.firstFactor(a) && organization.staffByUsername(a.getName()).map(m -> !responses.hasSecondFactor(m)).orElse(false)));

        http.authorizeHttpRequests(auth -> authorize(auth, firstFactor, mayEnrol))
                .formLogin(form -> form.loginProcessingUrl("/login").successHandler(responses).failureHandler(responses).permitAll())
                .oneTimeTokenLogin(ott -> enrolmentLinks(ott, oneTimeTokens, responses))
                .webAuthn(w -> passkeys(w, rpId, origins, responses, csrfTokens))
                .addFilterAfter(new SessionGuardFilter(sessions, clock), SecurityContextHolderFilter.class)
                .addFilterAfter(new PasskeyAccessFilter(firstFactor, mayEnrol, factorChanges, tokens), SessionGuardFilter.class)
                // A bearer token that is unknown, expired or revoked is answered as a missing sign-in (a problem, or an
                // OperationOutcome under /fhir), with the challenge RFC 6750 gives, not the resource server's empty 401.
                .oauth2ResourceServer(o -> o.opaqueToken(t -> t.introspector(tokens)).authenticationEntryPoint(SecurityConfiguration::badToken))
                .addFilterAfter(secondFactor, BasicAuthenticationFilter.class)
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
                // No saved request: it was the one thing every anonymous request stored in a new session, and a signed-in
                // person lands on their day ("/") anyway. Before sign-in the CSRF token lives in a cookie (CsrfTokens).
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens).ignoringRequestMatchers(SecurityConfiguration::bearer)
                        .ignoringRequestMatchers("/api/auth/token"))
                .logout(logout -> signOut(logout, sessions))
                .headers(SecurityConfiguration::headers)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint(SecurityConfiguration::notSignedIn)
                        .accessDeniedHandler((request, response, ex) -> refused(request, response, ex, actors, refusals)));
        return http.build();
    }

    private static void authorize(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry auth,
                                  AuthorizationManager<RequestAuthorizationContext> firstFactor,
                                  AuthorizationManager<RequestAuthorizationContext> mayEnrol) {
        auth.requestMatchers(PUBLIC_API).permitAll()
                .requestMatchers("/actuator/health", "/actuator/health/**", "/error", "/favicon.ico", "/login", "/login/ott",
                        "/signin", "/signin/link", "/css/**", "/js/**", "/images/**", "/webjars/**",
                        "/.well-known/smart-configuration").permitAll()
                .requestMatchers(SecondFactorFilter.TOTP_PATH, SecondFactorFilter.RECOVERY_PATH, "/webauthn/authenticate/options",
                        "/login/webauthn", "/signin/second-factor").access(firstFactor)
                .requestMatchers(ENROLMENT_API, "/webauthn/register/**", "/webauthn/register", "/signin/enrol", "/signin/enrol/**")
                        .access(mayEnrol)
                .requestMatchers(PASSWORD_API, "/signin/password").access(when(a -> Factors.full(a) || Factors.has(a, "FACTOR_OTT")))
                .anyRequest().access(SecurityConfiguration::staffOrApp);
    }

    /**
     * Everything not named otherwise, on both chains: a full sign-in or a token. A SMART app's access token opens the FHIR
     * API and nothing else (ADR 0028). A patient of the portal (role PATIENT, its own chain and session key) is never a
     * staff member here (ADR 0039); a patient's app token is, for /fhir only (ADR 0045).
     */
    private static AuthorizationDecision staffOrApp(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Authentication a = authentication.get();
        return new AuthorizationDecision(Factors.full(a) && (!Factors.has(a, "ROLE_PATIENT") || patientApp(a))
                && (AppGrant.of(a) == null || fhir(context.getRequest())));
    }

    private static void headers(HeadersConfigurer<HttpSecurity> h) {
        h.contentSecurityPolicy(csp -> csp.policyDirectives(Pages.CONTENT_SECURITY_POLICY))
                .referrerPolicy(r -> r.policy(org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN));
    }

    /** One-time links sign in (enrolment, password reset); the generating URL answers 404, so no one asks for a link here. */
    private static void enrolmentLinks(OneTimeTokenLoginConfigurer<HttpSecurity> ott, OneTimeTokenService oneTimeTokens,
                                       LoginResponses responses) {
        ott.tokenService(oneTimeTokens).loginProcessingUrl("/login/ott").showDefaultSubmitPage(false)
                .successHandler(responses).failureHandler(responses)
                .tokenGeneratingUrl("/ott/generate-disabled")
                .tokenGenerationSuccessHandler((request, response, token) -> response.sendError(HttpStatus.NOT_FOUND.value()));
    }

    private static void passkeys(WebAuthnConfigurer<HttpSecurity> w, String rpId, Set<String> origins, LoginResponses responses,
                                 CsrfTokens csrfTokens) {
        w.rpName("Dossier").rpId(rpId).allowedOrigins(origins).disableDefaultRegistrationPage(true)
                .creationOptionsRepository(new PasskeyCeremonies.Registrations())
                .withObjectPostProcessor(new ObjectPostProcessor<Object>() {
                    @Override
                    public <O> O postProcess(O object) {
                        // Passkey challenges kept as plain values in the (serialised, shared) session; sign-in answers as JSON.
                        if (object instanceof WebAuthnAuthenticationFilter f) {
                            f.setAuthenticationSuccessHandler(responses);
                            f.setAuthenticationFailureHandler(responses);
                            // As after a code: a new session id and a new CSRF token (the library's default keeps both).
                            f.setSessionAuthenticationStrategy(nextStep(csrfTokens));
                        }
                        return object;
                    }
                });
    }

    private static void signOut(LogoutConfigurer<HttpSecurity> logout, SessionRegistry sessions) {
        logout.logoutUrl("/logout")
                .addLogoutHandler((request, response, authentication) -> {
                    var session = request.getSession(false);
                    Object ref = session == null ? null : session.getAttribute(SessionRegistry.REF_ATTRIBUTE);
                    if (ref != null) {
                        sessions.end((String) ref);
                    }
                })
                .logoutSuccessHandler((request, response, authentication) -> {
                    if (Pages.wantsPage(request)) {
                        response.sendRedirect(request.getContextPath() + "/signin?signedOut");
                    } else {
                        response.setStatus(HttpStatus.NO_CONTENT.value());
                    }
                });
    }

    private static void notSignedIn(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
            throws IOException {
        if (Pages.wantsPage(request)) {
            // A session cookie whose session is gone: it ended (idle, revoked, frozen), and the page says so.
            boolean ended = request.getRequestedSessionId() != null && !request.isRequestedSessionIdValid();
            response.sendRedirect(request.getContextPath() + (ended ? "/signin?ended" : "/signin"));
            return;
        }
        if (request.getRequestURI().startsWith("/fhir/")) {
            // FHIR clients expect an OperationOutcome, whatever the error.
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            response.setContentType("application/fhir+json");
            response.setHeader("WWW-Authenticate", "Bearer");
            response.getWriter().write("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                    + "\"code\":\"login\",\"diagnostics\":\"Send a valid API token (Authorization: Bearer ...)\"}]}");
            return;
        }
        problem(response, HttpStatus.UNAUTHORIZED, "unauthorized", "Not signed in",
                "Sign in (password and second factor) or send a valid API token");
    }

    private static void refused(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex,
                                ActorResolver actors, RefusalRecorder refusals) throws IOException {
        Authentication a = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
        if (a != null && Factors.firstFactor(a) && !Factors.full(a) && Pages.wantsPage(request)) {
            response.sendRedirect(request.getContextPath() + "/signin/second-factor");
        } else if (a != null && Factors.firstFactor(a) && !Factors.full(a)) {
            problem(response, HttpStatus.UNAUTHORIZED, "second-factor-required", "Sign-in not finished",
                    "Confirm with your passkey or an authenticator code (POST /login/totp), or enrol one first");
        } else if (ex instanceof org.springframework.security.web.csrf.CsrfException && Pages.wantsPage(request)) {
            // A form older than its token (a sign-in page left open across a restart of the browser, a
            // form from a session that ended): a page that says so, never a bare 403.
            boolean signedIn = a != null && Factors.full(a);
            request.setAttribute(org.dossier.web.ErrorCatalogue.PAGE_MESSAGE_ATTRIBUTE, signedIn ? "form.expired" : "signin.expired");
            response.sendError(HttpStatus.FORBIDDEN.value());
        } else if (AppGrant.of(a) != null) {
            // A SMART app's token sent outside /fhir: refused and audited under the app's name, as any refusal.
            Actor app = actors.refusedApp(a, request);
            if (app != null) {
                request.setAttribute(Actor.REQUEST_ATTRIBUTE, app);
            }
            String why = "An app's access token opens the FHIR API (/fhir) only";
            refusals.refused(request, new org.dossier.platform.ForbiddenException(why).because("APP_SCOPE"));
            problem(response, HttpStatus.FORBIDDEN, "forbidden", "Not allowed", why);
        } else {
            problem(response, HttpStatus.FORBIDDEN, "forbidden", "Not allowed", "You are not allowed to do this");
        }
    }

    /** A second factor completes the sign-in: the session gets a new id and a new CSRF token, as at the password step. */
    private static SessionAuthenticationStrategy nextStep(CsrfTokens csrfTokens) {
        return new CompositeSessionAuthenticationStrategy(List.of(new ChangeSessionIdAuthenticationStrategy(),
                new CsrfAuthenticationStrategy(csrfTokens)));
    }

    private static void badToken(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
                                 org.springframework.security.core.AuthenticationException e) throws java.io.IOException {
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"The token is unknown, expired or revoked\"");
        if (request.getRequestURI().startsWith("/fhir/") || request.getRequestURI().equals("/fhir")) {
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            response.setContentType("application/fhir+json");
            response.getWriter().write("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"login\","
                    + "\"diagnostics\":\"The API token is unknown, expired or revoked: get a new one (POST /api/auth/token)\"}]}");
            return;
        }
        problem(response, HttpStatus.UNAUTHORIZED, "invalid-token", "Not signed in",
                "The API token is unknown, expired or revoked: get a new one (POST /api/auth/token)");
    }

    /** A patient's app token (ADR 0045): the one authentication with the role PATIENT this chain knows, for /fhir only. */
    private static boolean patientApp(Authentication a) {
        return a instanceof org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthentication bearer
                && bearer.getPrincipal() instanceof PatientAppPrincipal;
    }

    private static boolean fhir(HttpServletRequest request) {
        return request.getRequestURI().equals("/fhir") || request.getRequestURI().startsWith("/fhir/");
    }

    /**
     * A bearer token to /api or /fhir, the bearer chain's requests. The CSRF token's endpoint stays the staff chain's: it
     * answers a browser's session, from the CSRF filter this chain lacks. The portal's API is matched by its chain first.
     */
    private static boolean tokenForTheApi(HttpServletRequest request) {
        if (!bearer(request)) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return (path.startsWith("/api/") || path.equals("/api") || fhir(request)) && !path.equals("/api/auth/csrf");
    }

    private static boolean bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    }

    private static AuthorizationManager<RequestAuthorizationContext> when(Predicate<Authentication> rule) {
        return (Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) ->
                new AuthorizationDecision(rule.test(authentication.get()));
    }

    private static void problem(jakarta.servlet.http.HttpServletResponse response, HttpStatus status, String code, String title, String detail)
            throws java.io.IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write("{\"type\":\"https://dossier.example/problems/" + code + "\",\"title\":\"" + title
                + "\",\"status\":" + status.value() + ",\"detail\":\"" + detail + "\"}");
    }
}
