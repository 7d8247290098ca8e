package org.dossier.identity;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.dossier.organization.StaffMember;
import org.dossier.platform.SecretBox;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.server.authorization.oidc.authentication.OidcUserInfoAuthenticationContext;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenClaimsContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2AccessTokenResponseAuthenticationSuccessHandler;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OAuth 2.1 authorization server of SMART on FHIR apps (Spring Authorization Server): authorization code with PKCE,
 * registered clients, consent, opaque access tokens read from PostgreSQL on every request, refresh tokens that die with the
 * account's access. A person authorizes an app only from a full Dossier sign-in (password and second factor). ADR 0028.
 */
@Configuration(proxyBeanMethods = false)
class SmartAuthorizationServer {

    /** The cookie that brings a person back to the app's authorization request once signed in (the sign-in keeps no saved request). */
    static final String RETURN_COOKIE = "DOSSIER_SMART_RETURN";
    /** The same for a patient's app: brought back after the portal's sign-in, never after a staff one (ADR 0045). */
    static final String PATIENT_RETURN_COOKIE = "DOSSIER_SMART_PATIENT_RETURN";
    static final String AUTHORIZE_PATH = "/oauth2/authorize";
    static final String USERINFO_PATH = "/userinfo";

    @Bean
    RegisteredClientRepository registeredClients(JdbcOperations jdbc) {
        return new JdbcRegisteredClientRepository(jdbc);
    }

    @Bean
    OAuth2AuthorizationService oauth2Authorizations(JdbcOperations jdbc, RegisteredClientRepository clients) {
        return new PlainPrincipalAuthorizations(new HashedTokenAuthorizations(new JdbcOAuth2AuthorizationService(jdbc, clients)));
    }

    /**
     * The id-token signing key, kept sealed in the database and the same on every node and across restarts
     * ({@link SmartSigningKey}). Read on first use, once the database is migrated.
     */
    @Bean
    JWKSource<SecurityContext> jwkSource(JdbcClient jdbc, SecretBox box, Clock clock) {
        java.util.function.Supplier<JWKSource<SecurityContext>> keys =
                org.springframework.util.function.SingletonSupplier.of(() -> SmartSigningKey.source(SmartSigningKey.load(jdbc, box, clock)));
        return (selector, context) -> keys.get().get(selector, context);
    }

    /**
     * What {@code /userinfo} answers an app's access token (openid scope): the person as the id token named them —
     * {@code sub}, {@code name}, and {@code fhirUser} when that scope was granted — and nothing more.
     */
    static OidcUserInfo userInfo(OidcUserInfoAuthenticationContext context) {
        OAuth2Authorization.Token<OidcIdToken> idToken = context.getAuthorization().getToken(OidcIdToken.class);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", context.getAuthorization().getPrincipalName());
        if (idToken != null) {
            for (String name : List.of("name", "fhirUser")) {
                Object value = idToken.getToken().getClaims().get(name);
                if (value != null) {
                    claims.put(name, value);
                }
            }
        }
        return new OidcUserInfo(claims);
    }

    @Bean
    OAuth2AuthorizationConsentService oauth2Consents(JdbcOperations jdbc, RegisteredClientRepository clients) {
        return new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
        return AuthorizationServerSettings.builder().build();
    }

    /**
     * The claims kept with an (opaque) access token: whose it is and its launch patient. The account must still be active —
     * a refresh after a freeze fails here even if its authorization was somehow kept.
     */
    @Bean
    OAuth2TokenCustomizer<OAuth2TokenClaimsContext> smartAccessTokenClaims(SmartTokens tokens,
                                                                          org.springframework.beans.factory.ObjectProvider<PatientSignIns> patients,
                                                                          Clock clock) {
        return context -> {
            if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
                return;
            }
            Long account = SmartTokens.portalAccount(context.getPrincipal().getName());
            if (account != null || SmartTokens.forPatients(context.getRegisteredClient())) {
                patientClaims(context, account, patients.getIfAvailable(), clock);
                return;
            }
            StaffMember member = tokens.activeMember(context.getPrincipal().getName());
            if (member == null) {
                throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "The account is not active", null));
            }
            context.getClaims().claim(SmartTokens.STAFF_CLAIM, Long.toString(member.id()));
            Long patient = tokens.patientOf(context.getAuthorization(), member.id(), context.getRegisteredClient().getClientId());
            if (patient != null) {
                context.getClaims().claim(SmartTokens.PATIENT_CLAIM, Long.toString(patient));
            } else if (context.getAuthorizedScopes().contains("launch")) {
                // An EHR launch whose launch value is unknown, expired, or another person's: no token at all.
                throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT,
                        "The launch is unknown, expired, or not yours: open the app from the chart again", null));
            }
        };
    }

    /**
     * A patient's app token (ADR 0045): it acts for the portal account that authorized it, on that account's own record and
     * no other, as long as the account may (no new enrolment, no code issued at the desk since the first token); only an
     * app registered for patients gets one, and a patient never gets a staff member's claim.
     */
    private static void patientClaims(OAuth2TokenClaimsContext context, Long account, PatientSignIns patients, Clock clock) {
        if (account == null || patients == null || !SmartTokens.forPatients(context.getRegisteredClient())) {
            throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT,
                    "An app for patients is authorized by a patient signed in to the portal, and only such an app", null));
        }
        OAuth2Authorization.Token<OAuth2AccessToken> earlier = context.getAuthorization() == null ? null
                : context.getAuthorization().getAccessToken();
        Object carried = earlier == null || earlier.getClaims() == null ? null : earlier.getClaims().get(SmartTokens.SINCE_CLAIM);
        long since = carried == null ? clock.millis() : Long.parseLong(carried.toString());
        PatientSignIns.Holder holder = patients.live(account, java.time.Instant.ofEpochMilli(since)).orElseThrow(() ->
                new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT,
                        "The portal account is no longer active, or a new enrolment code was issued: authorize the app again", null)));
        context.getClaims().claim(SmartTokens.PORTAL_CLAIM, Long.toString(holder.accountId()));
        context.getClaims().claim(SmartTokens.PATIENT_CLAIM, Long.toString(holder.patientId()));
        context.getClaims().claim(SmartTokens.SINCE_CLAIM, Long.toString(since));
    }

    /**
     * The id token names the person as the FHIR facade serves them: fhirUser = Practitioner/{staff id}, or, for a patient's
     * app, Patient/{their record} (and no name: the app reads it from the record if its scopes allow).
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> smartIdTokenClaims(SmartTokens tokens,
                                                                 org.springframework.beans.factory.ObjectProvider<PatientSignIns> patients,
                                                                 Clock clock) {
        return context -> {
            if (!"id_token".equals(context.getTokenType().getValue())) {
                return;
            }
            Long account = SmartTokens.portalAccount(context.getPrincipal().getName());
            if (account != null) {
                PatientSignIns signIns = patients.getIfAvailable();
                PatientSignIns.Holder holder = signIns == null ? null : signIns.live(account, clock.instant()).orElse(null);
                if (holder == null) {
                    throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "The account is not active", null));
                }
                if (context.getAuthorizedScopes().contains("fhirUser")) {
                    context.getClaims().claim("fhirUser", context.getAuthorizationServerContext().getIssuer() + "/fhir/Patient/" + holder.patientId());
                }
                return;
            }
            StaffMember member = tokens.activeMember(context.getPrincipal().getName());
            if (member == null) {
                throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "The account is not active", null));
            }
            if (context.getAuthorizedScopes().contains("fhirUser")) {
                String issuer = context.getAuthorizationServerContext().getIssuer();
                context.getClaims().claim("fhirUser", issuer + "/fhir/Practitioner/" + member.id());
            }
            context.getClaims().claim("name", member.displayName());
        };
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnWebApplication
    SecurityFilterChain smartAuthorizationServerChain(HttpSecurity http, SmartTokens tokens, OAuth2AuthorizationService authorizations,
                                                     SessionRegistry sessions, Clock clock,
                                                     org.springframework.beans.factory.ObjectProvider<PatientSignIns> patients) throws Exception {
        PatientLaunches launches = new PatientLaunches(tokens, patients);
        OAuth2AuthorizationServerConfigurer server = new OAuth2AuthorizationServerConfigurer();
        OAuth2AccessTokenResponseAuthenticationSuccessHandler tokenResponse = new OAuth2AccessTokenResponseAuthenticationSuccessHandler();
        // SMART's token response names the launch patient beside the token.
        tokenResponse.setAccessTokenResponseCustomizer(context -> {
            OAuth2AccessTokenAuthenticationToken issued = context.getAuthentication();
            OAuth2Authorization authorization = authorizations.findByToken(issued.getAccessToken().getTokenValue(), OAuth2TokenType.ACCESS_TOKEN);
            OAuth2Authorization.Token<OAuth2AccessToken> token = authorization == null ? null : authorization.getAccessToken();
            Object patient = token == null || token.getClaims() == null ? null : token.getClaims().get(SmartTokens.PATIENT_CLAIM);
            if (patient != null) {
                java.util.Map<String, Object> all = new java.util.LinkedHashMap<>(issued.getAdditionalParameters());
                all.put(SmartTokens.PATIENT_CLAIM, patient.toString());
                context.getAccessTokenResponse().additionalParameters(all);
            }
        });
        http.securityMatcher(server.getEndpointsMatcher())
                // A patient's app is authorized from the portal's sign-in only, a staff app from the staff sign-in only: each
                // request reads the one security context its app's kind allows (ADR 0045).
                .securityContext(c -> c.securityContextRepository(launches))
                .with(server, s -> s
                        .authorizationEndpoint(a -> a.consentPage("/smart/consent")
                                // Every launch is consented to, so that a standalone launch always asks for its patient.
                                .authenticationProviders(providers -> providers.forEach(p -> {
                                    if (p instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider code) {
                                        code.setAuthorizationConsentRequired(c -> true);
                                        // An app may ask for narrower scopes than it was registered with (patient/Observation.rs
                                        // under patient/*.rs), never wider; the redirect URI is checked as the library does.
                                        code.setAuthenticationValidator(org.springframework.security.oauth2.server.authorization.authentication
                                                .OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_REDIRECT_URI_VALIDATOR
                                                .andThen(SmartAuthorizationServer::scopesWithinRegistration));
                                    }
                                })))
                        .tokenEndpoint(t -> t.accessTokenResponseHandler(tokenResponse))
                        .oidc(o -> o.userInfoEndpoint(u -> u.userInfoMapper(SmartAuthorizationServer::userInfo))))
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .addFilterAfter(new SessionGuardFilter(sessions, clock), SecurityContextHolderFilter.class)
                .addFilterAfter(new FullSignInOnly(tokens, launches), SessionGuardFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint(notSignedIn(launches)));
        return http.build();
    }

    /** Not signed in: the bearer challenge at /userinfo; else the sign-in the app's kind allows (the portal's for a patient's app). */
    private static org.springframework.security.web.AuthenticationEntryPoint notSignedIn(PatientLaunches launches) {
        return (request, response, ex) -> {
            if (USERINFO_PATH.equals(request.getRequestURI())) {
                // An app's call, not a person's browser: the bearer challenge, not the sign-in page.
                response.setHeader("WWW-Authenticate", "Bearer");
                response.sendError(HttpStatus.UNAUTHORIZED.value());
                return;
            }
            boolean patient = launches.isPatientLaunch(request);
            toSignIn(request, response, patient ? "/portal/signin" : "/signin", patient ? PATIENT_RETURN_COOKIE : RETURN_COOKIE);
        };
    }

    /** Sends the person to sign in, remembering the app's authorization request to come back to. */
    private static void toSignIn(HttpServletRequest request, HttpServletResponse response, String page, String cookie) throws IOException {
        if ("GET".equals(request.getMethod()) && AUTHORIZE_PATH.equals(request.getRequestURI()) && request.getQueryString() != null
                && request.getQueryString().length() < 3000) {
            Cookie back = new Cookie(cookie, URLEncoder.encode(AUTHORIZE_PATH + "?" + request.getQueryString(), StandardCharsets.UTF_8));
            back.setPath("/");
            back.setHttpOnly(true);
            back.setMaxAge(600);
            back.setAttribute("SameSite", "Lax");
            response.addCookie(back);
        }
        response.sendRedirect(request.getContextPath() + page);
    }

    /** The app's authorization request to come back to after a full sign-in, or null; the cookie is spent. */
    static String takeReturn(HttpServletRequest request, HttpServletResponse response) {
        return takeReturn(request, response, RETURN_COOKIE);
    }

    /** The same, from the named cookie (a staff or a patient sign-in each takes its own). */
    static String takeReturn(HttpServletRequest request, HttpServletResponse response, String cookie) {
        if (request.getCookies() == null) {
            return null;
        }
        for (Cookie c : request.getCookies()) {
            if (cookie.equals(c.getName())) {
                Cookie spent = new Cookie(cookie, "");
                spent.setPath("/");
                spent.setMaxAge(0);
                response.addCookie(spent);
                String value = URLDecoder.decode(c.getValue(), StandardCharsets.UTF_8);
                // Only ever back to our own authorization endpoint: the cookie is no open redirect.
                return value.startsWith(AUTHORIZE_PATH + "?") && !value.contains("\r") && !value.contains("\n") ? value : null;
            }
        }
        return null;
    }

    /**
     * The authorization endpoint answers only a full sign-in of an active account: a password alone (the second factor not
     * given yet) is sent on to the second factor, never taken as a signed-in person.
     */
    static final class FullSignInOnly extends OncePerRequestFilter {
        private final SmartTokens tokens;
        private final PatientLaunches launches;

        FullSignInOnly(SmartTokens tokens, PatientLaunches launches) {
            this.tokens = tokens;
            this.launches = launches;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return !AUTHORIZE_PATH.equals(request.getRequestURI());
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication a = SecurityContextHolder.getContext().getAuthentication();
            if (launches.isPatientLaunch(request)) {
                // The context came from the portal's key, as a fully signed-in patient or nothing (PatientLaunches); the
                // consent page is the portal's.
                chain.doFilter(request, PatientLaunches.consentInThePortal(response));
                return;
            }
            if (a != null && a.isAuthenticated() && !(a instanceof org.springframework.security.authentication.AnonymousAuthenticationToken)) {
                if (!Factors.full(a) || Factors.has(a, PatientLaunches.PATIENT_ROLE)) {
                    SecurityContextHolder.clearContext();
                    toSignIn(request, response, Factors.firstFactor(a) ? "/signin/second-factor" : "/signin", RETURN_COOKIE);
                    return;
                }
                if (Factors.token(a) || tokens.activeMember(a.getName()) == null) {
                    // A bearer token never authorizes an app; nor does a session whose account is no longer active.
                    SecurityContextHolder.clearContext();
                    response.sendError(HttpStatus.FORBIDDEN.value());
                    return;
                }
            }
            chain.doFilter(request, response);
        }
    }

    /**
     * Keeps, in an authorization, the person as a name and their authorities as plain strings rather than the whole
     * sign-in (its principal holds the account and the password hash): what is stored is what the tokens need.
     */
    static final class PlainPrincipalAuthorizations implements OAuth2AuthorizationService {
        private final OAuth2AuthorizationService delegate;

        PlainPrincipalAuthorizations(OAuth2AuthorizationService delegate) {
            this.delegate = delegate;
        }

        @Override
        public void save(OAuth2Authorization authorization) {
            OAuth2Authorization.Builder plain = OAuth2Authorization.from(authorization);
            Object principal = authorization.getAttribute(Principal.class.getName());
            if (principal instanceof Authentication a && !(a.getPrincipal() instanceof String)) {
                UsernamePasswordAuthenticationToken name = UsernamePasswordAuthenticationToken.authenticated(a.getName(), null,
                        a.getAuthorities().stream().map(g -> new SimpleGrantedAuthority(g.getAuthority())).toList());
                plain.attribute(Principal.class.getName(), name);
            }
            plain.attributes(attributes -> attributes.remove(SessionInformation.class.getName()));
            delegate.save(plain.build());
        }

        @Override
        public void remove(OAuth2Authorization authorization) {
            delegate.remove(authorization);
        }

        @Override
        public OAuth2Authorization findById(String id) {
            return delegate.findById(id);
        }

        @Override
        public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
            return delegate.findByToken(token, tokenType);
        }
    }

    /** Every scope asked for is one the app was registered with, or narrower ({@link AppGrant#covers}). */
    private static void scopesWithinRegistration(
            org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken request =
                context.getAuthentication();
        java.util.Set<String> registered = context.getRegisteredClient().getScopes();
        boolean forPatients = SmartTokens.forPatients(context.getRegisteredClient());
        for (String asked : request.getScopes()) {
            // A patients' app is registered with patients' scopes only; checked again here, so that no registration can make
            // a patient's sign-in authorize a user/ scope, a write, or an EHR launch (ADR 0045).
            if (registered.stream().noneMatch(r -> AppGrant.covers(r, asked)) || (forPatients && !AppGrant.forPatients(asked))) {
                var error = new org.springframework.security.oauth2.core.OAuth2Error(
                        org.springframework.security.oauth2.core.OAuth2ErrorCodes.INVALID_SCOPE,
                        "OAuth 2.0 Parameter: scope (" + asked + " is not within the app's registration)",
                        "https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.2.1");
                throw new org.springframework.security.oauth2.server.authorization.authentication
                        .OAuth2AuthorizationCodeRequestAuthenticationException(error, request);
            }
        }
    }
}
