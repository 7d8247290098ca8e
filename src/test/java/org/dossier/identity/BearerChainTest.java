package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientAppFlow;
import org.dossier.support.PortalSession;
import org.dossier.support.StaffAppFlow;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.util.ReflectionTestUtils;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bearer token sent to /api or /fhir is served by a chain of its own (ADR 0059): no session is made or read, no CSRF,
 * sign-in, passkey or logout filter runs, and what a token may reach, and how it is refused, is what it was on the staff
 * chain. A browser's session is still served by the staff chain, CSRF and all.
 */
class BearerChainTest extends IntegrationTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Autowired
    CredentialService credentials;

    @Autowired
    FilterChainProxy filterChains;

    @Test
    void aTokensRequestMakesNoSession() throws Exception {
        long patient = fixtures().patientInCare();
        for (String path : List.of("/api/me", "/api/patients/" + patient, "/fhir/Patient/" + patient, "/fhir/metadata", "/api/docs")) {
            Api.Response r = as("physician").get(path);
            assertThat(r.status()).as(path + " " + r).isEqualTo(200);
            assertThat(r.headers().keySet()).as(path).noneMatch(h -> h.equalsIgnoreCase("Set-Cookie"));
        }
        // A session cookie sent beside the token is not the credential: the token is, and the session is not read.
        BrowserSession browser = BrowserSession.signedIn(port, "nurse");
        Api.Response byToken = as("physician").get("/api/me");
        Api.Response bySession = browser.get("/api/me");
        for (String header : List.of("Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options", "X-Frame-Options",
                "Cache-Control", "Pragma", "Expires")) {
            assertThat(byToken.header(header)).as(header + ", the same on both chains").isNotNull().isEqualTo(bySession.header(header));
        }
        HttpResponse<String> both = send("GET", "/api/me", "Bearer " + as("physician").token(), "DOSSIER_SESSION=" + browser.sessionCookie());
        assertThat(both.statusCode()).isEqualTo(200);
        assertThat(Api.jsonMapper().readTree(both.body()).get("username").asString()).isEqualTo("physician");
        assertThat(both.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void anUnknownExpiredOrRevokedTokenGetsTheBearerChallengeAndAnExplanation() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        String revoked = Api.fetchToken(port, user, DemoAccounts.PASSWORD);
        Api holder = anonymous().withBearer(revoked);
        long id = holder.get("/api/auth/tokens").json().get(0).get("id").asLong();
        assertThat(holder.delete("/api/auth/tokens/" + id).status()).isEqualTo(204);

        String expired = Api.fetchToken(port, user, DemoAccounts.PASSWORD);
        jdbc.sql("update api_token set issued_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' where staff_id = "
                + "(select id from staff where username = ?)").param(user).update();
        heardByTheServer();

        for (String token : List.of(revoked, expired, "dst_forged-token-value", "not-even-one-of-ours")) {
            Api.Response api = anonymous().withBearer(token).get("/api/me");
            assertThat(api.status()).as(token).isEqualTo(401);
            assertThat(api.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\"");
            assertThat(api.contentType()).startsWith("application/problem+json");
            assertThat(api.json().get("type").asString()).endsWith("/invalid-token");
            assertThat(api.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("Set-Cookie"));

            Api.Response fhir = anonymous().withBearer(token).get("/fhir/Patient/1");
            assertThat(fhir.status()).as(token).isEqualTo(401);
            assertThat(fhir.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\"");
            assertThat(fhir.contentType()).startsWith("application/fhir+json");
            assertThat(fhir.json().get("resourceType").asString()).isEqualTo("OperationOutcome");
            assertThat(fhir.json().get("issue").get(0).get("code").asString()).isEqualTo("login");
        }
        // The public paths read a token that is sent, as before: a bad one is refused there too.
        assertThat(anonymous().withBearer("dst_forged-token-value").get("/fhir/metadata").status()).isEqualTo(401);
        assertThat(anonymous().get("/fhir/metadata").status()).isEqualTo(200);
        HttpResponse<String> malformed = send("GET", "/api/me", "Bearer not a token at all", null);
        assertThat(malformed.statusCode()).isEqualTo(401);
        assertThat(malformed.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer error=\"invalid_token\"");
    }

    @Test
    void anAppsTokenOpensTheFhirApiOnly() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long mine = fixtures().patient();
        fixtures().careFor(mine, user);
        String clientId = StaffAppFlow.register(as("admin"), List.of("user/*.rs"));
        Api app = anonymous().withBearer(StaffAppFlow.token(port, BrowserSession.signedIn(port, user), clientId, "user/*.rs"));

        assertThat(app.get("/fhir/Patient/" + mine).status()).isEqualTo(200);
        for (String outside : List.of("/api/me", "/api/patients/" + mine, "/api/auth/tokens")) {
            Api.Response r = app.get(outside);
            assertThat(r.status()).as(outside).isEqualTo(403);
            assertThat(r.json().get("detail").asString()).isEqualTo("An app's access token opens the FHIR API (/fhir) only");
            assertThat(jdbc.sql("select count(*) from audit_entry where request_id = ? and decision = 'DENY' and reason_code = 'APP_SCOPE'")
                    .param(r.header("X-Request-Id")).query(Long.class).single()).as("audited under the app's name").isEqualTo(1);
        }
    }

    @Test
    void aPatientsAppTokenIsHeldToTheFhirApi() throws Exception {
        long own = fixtures().patient();
        String code = as("frontdesk").post("/api/patients/" + own + "/portal-code", Map.of()).json().get("code").asString();
        PortalSession patient = PortalSession.enrolled(port, code, identity(own).birthDate().toString(),
                "bearerchain" + (System.nanoTime() % 100000), "a long walk by the quiet river");
        String client = PatientAppFlow.register(as("admin"), List.of("openid", "fhirUser", "launch/patient", "patient/*.rs"));
        Api app = anonymous().withBearer(PatientAppFlow.token(port, patient, client, "openid fhirUser launch/patient patient/*.rs"));

        assertThat(app.get("/fhir/Patient/" + own).status()).isEqualTo(200);
        for (String outside : List.of("/api/me", "/api/patients/" + own)) {
            Api.Response r = app.get(outside);
            assertThat(r.status()).as(outside + " " + r).isEqualTo(403);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        // The portal's own API is the portal's chain, which reads its session and never a token.
        assertThat(app.get("/api/portal/record").status()).isEqualTo(401);
    }

    /** A token is issued against both factors, and changes no factor: refused as before, and audited. */
    @Test
    void whatATokenWasRefusedForWantOfAFreshSecondFactorItStillIs() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        Api token = as(user);
        long before = refusedFactorChanges(user);
        for (String path : List.of("/api/auth/enrolment/totp", "/api/auth/recovery-codes")) {
            Api.Response r = token.post(path, Map.of());
            assertThat(r.status()).as(path + " " + r).isEqualTo(403);
            assertThat(r.json().get("detail").asString()).isEqualTo(FactorChanges.TOKEN_REFUSAL);
        }
        Api.Response password = token.post("/api/auth/password", Map.of("currentPassword", DemoAccounts.PASSWORD,
                "newPassword", "another long passphrase for a test"));
        assertThat(password.status()).as(password.toString()).isEqualTo(403);
        Api.Response stepUp = token.post("/api/auth/step-up", Map.of("code", BrowserSession.code(user, 0)));
        assertThat(stepUp.status()).as(stepUp.toString()).isEqualTo(403);
        // A passkey is the staff chain's (it is not under /api): refused there, as before.
        Api.Response passkey = token.post("/webauthn/register/options", Map.of());
        assertThat(passkey.status()).as(passkey.toString()).isEqualTo(403);
        assertThat(passkey.json().get("detail").asString()).isEqualTo(FactorChanges.TOKEN_REFUSAL);
        assertThat(refusedFactorChanges(user)).isEqualTo(before + 3);
    }

    @Test
    void aBrowsersSessionIsStillTheStaffChainsWithItsCsrfCheck() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        BrowserSession browser = BrowserSession.signedIn(port, user);
        assertThat(browser.get("/api/me").json().get("username").asString()).isEqualTo(user);
        Api.Response forged = browser.postWithoutCsrf("/api/auth/recovery-codes", Map.of());
        assertThat(forged.status()).as(forged.toString()).isEqualTo(403);
        Api.Response sent = browser.post("/api/auth/recovery-codes", Map.of());
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
        // Without a bearer header the session, not a token, answers: the CSRF token's endpoint is the staff chain's too.
        browser.refreshCsrf();
        assertThat(browser.csrf().getValue()).isNotBlank();
    }

    /** The chain each kind of request walks: the bearer chain lacks every filter a token never needed. */
    @Test
    void aBearerRequestWalksTheLeanChain() {
        List<String> bearer = filters("/fhir/Patient/1", "Bearer dst_x");
        List<String> session = filters("/fhir/Patient/1", null);
        System.out.println("BearerChainTest: a bearer request to /fhir walks " + bearer.size() + " filters " + bearer
                + "; a session request " + session.size() + " " + session);
        assertThat(bearer).contains("BearerTokenAuthenticationFilter", "AuthorizationFilter", "ExceptionTranslationFilter",
                "HeaderWriterFilter", "SecurityContextHolderFilter", "SecurityContextHolderAwareRequestFilter");
        assertThat(bearer).doesNotContain("CsrfFilter", "LogoutFilter", "UsernamePasswordAuthenticationFilter", "SessionGuardFilter",
                "PasskeyAccessFilter", "SecondFactorFilter", "RequestCacheAwareFilter", "WebAuthnAuthenticationFilter",
                "WebAuthnRegistrationFilter", "PublicKeyCredentialRequestOptionsFilter", "DefaultResourcesFilter",
                "OneTimeTokenAuthenticationFilter", "GenerateOneTimeTokenFilter", "AnonymousAuthenticationFilter");
        assertThat(filters("/api/patients/1", "bearer dst_x")).isEqualTo(bearer);
        assertThat(session).contains("CsrfFilter", "SessionGuardFilter", "PasskeyAccessFilter", "BearerTokenAuthenticationFilter");
        assertThat(filters("/webauthn/register/options", "Bearer dst_x")).as("a token outside /api and /fhir: the staff chain")
                .isEqualTo(session);
        assertThat(filters("/api/auth/csrf", "Bearer dst_x")).as("the CSRF token is the session's").isEqualTo(session);
        assertThat(filters("/api/portal/record", "Bearer dst_x")).as("the portal's chain").doesNotContain("BearerTokenAuthenticationFilter");
        assertThat(ReflectionTestUtils.getField(filterChains, "filterChainDecorator").getClass().getSimpleName())
                .as("no observation wraps each filter: nothing reads them").isNotEqualTo("ObservationFilterChainDecorator");
    }

    private List<String> filters(String path, String authorization) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.setServletPath(path);
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        SecurityFilterChain chain = filterChains.getFilterChains().stream().filter(c -> c.matches(request)).findFirst().orElseThrow();
        return chain.getFilters().stream().map(f -> f.getClass().getSimpleName()).toList();
    }

    private long refusedFactorChanges(String user) {
        return jdbc.sql("select count(*) from audit_entry where actor_username = ? and action = 'SECURITY:FACTOR_CHANGE_REFUSED'").param(user)
                .query(Long.class).single();
    }

    private HttpResponse<String> send(String method, String path, String authorization, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
