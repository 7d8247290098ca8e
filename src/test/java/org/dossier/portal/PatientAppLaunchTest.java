package org.dossier.portal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.dossier.identity.CredentialService;
import org.dossier.identity.TotpService;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SMART patient-standalone launch of a patient's own app (ADR 0045), driven over HTTP as the app and the patient's
 * browser would: the authorization request, the portal's sign-in (password and authenticator code), the portal's consent
 * page, the code exchange with PKCE, and HAPI's client reading /fhir with the token — the patient's own record only, read
 * and search only, their own AuditEvents; refusals audited; tokens that end with the portal account.
 */
class PatientAppLaunchTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final String REDIRECT = "http://localhost:9/patient-app";
    private static final String SCOPES = "launch/patient openid fhirUser patient/*.rs";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Autowired
    private CredentialService credentials;

    /** An enrolled patient of facility 1: their record, username and authenticator secret. */
    private record Enrolled(long patientId, String username, String secret, PortalSession session) {
    }

    private Enrolled enrolled() {
        long id = fixtures().patient();
        String birth = identity(id).birthDate().toString();
        Api.Response code = as("frontdesk").post("/api/patients/" + id + "/portal-code", Map.of());
        assertThat(code.status()).as(code.toString()).isEqualTo(201);
        String username = PortalTest.username();
        PortalSession session = PortalSession.enrolled(port, code.json().get("code").asString(), birth, username, PortalTest.PASSWORD);
        return new Enrolled(id, username, session.secret(), session);
    }

    @Test
    void discoveryAdvertisesThePatientStandaloneLaunch() {
        JsonNode json = anonymous().get("/.well-known/smart-configuration").json();
        assertThat(json.get("capabilities").toString()).contains("launch-standalone", "context-standalone-patient", "permission-patient",
                "permission-v2", "client-public");
        assertThat(json.get("scopes_supported").toString()).contains("launch/patient", "patient/*.rs", "patient/AuditEvent.rs");
    }

    @Test
    void aPatientsAppSignsInThroughThePortalAndReadsTheirOwnRecordAndWhoOpenedIt() throws Exception {
        Enrolled me = enrolled();
        long other = fixtures().patient();
        // A clinician opens the record first: the app will see that access, with roles and units, never the name.
        String physician = Accounts.newPhysician(as("admin"), credentials);
        fixtures().careFor(me.patientId(), physician);
        assertThat(as(physician).get("/api/patients/" + me.patientId()).status()).isEqualTo(200);

        String clientId = register(List.of("openid", "fhirUser", "launch/patient", "patient/*.rs"));
        Pkce pkce = Pkce.create();
        String authorize = authorizeUrl(clientId, SCOPES, pkce.challenge());

        // Not signed in: the portal's sign-in, never the staff one; once signed in (both factors), back to the request.
        PortalSession browser = new PortalSession(port);
        Api.Response first = browser.page(authorize);
        assertThat(first.status()).isEqualTo(302);
        assertThat(first.header("Location")).endsWith("/portal/signin");
        String back = signIn(browser, me);
        assertThat(back).startsWith("/oauth2/authorize?");

        String state = consentState(browser, back, clientId);
        Api.Response page = browser.page("/portal/apps/consent?client_id=" + enc(clientId) + "&state=" + enc(state));
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        assertThat(page.body()).contains("Test patient app").contains("patient/*.rs").contains("read your record")
                .doesNotContain("name=\"patient\"");
        assertThat(page.header("Content-Security-Policy")).as("the consent's redirect to the app is let through, to that app only")
                .contains("form-action 'self' http://localhost:9;").contains("default-src 'self'");
        String code = approve(browser, clientId, state, List.of("launch/patient", "openid", "fhirUser", "patient/*.rs"));
        JsonNode token = exchange(clientId, code, pkce.verifier());
        assertThat(token.get("patient").asString()).isEqualTo(Long.toString(me.patientId()));
        JsonNode claims = Api.jsonMapper().readTree(Base64.getUrlDecoder().decode(token.get("id_token").asString().split("\\.")[1]));
        assertThat(claims.get("fhirUser").asString()).endsWith("/fhir/Patient/" + me.patientId());
        String access = token.get("access_token").asString();

        // Their own record: read and search, each through the gateway as the patient themself, naming the app.
        IGenericClient fhir = client(access);
        assertThat(fhir.read().resource(Patient.class).withId(Long.toString(me.patientId())).execute().getIdElement().getIdPart())
                .isEqualTo(Long.toString(me.patientId()));
        Bundle allergies = fhir.search().forResource(org.hl7.fhir.r4.model.AllergyIntolerance.class)
                .where(org.hl7.fhir.r4.model.AllergyIntolerance.PATIENT.hasId(Long.toString(me.patientId())))
                .returnBundle(Bundle.class).execute();
        assertThat(allergies.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        // What the portal does not show (results and documents before a clinician releases them, encounters, received
        // records) is not read by the patient's app either, asked for directly or carried by $everything.
        for (String path : List.of("/fhir/Observation?patient=" + me.patientId(), "/fhir/DocumentReference?patient=" + me.patientId(),
                "/fhir/Encounter?patient=" + me.patientId(), "/fhir/Procedure?patient=" + me.patientId())) {
            Api.Response refused = anonymous().withBearer(access).get(path);
            assertThat(refused.status()).as(path).isEqualTo(403);
            assertThat(refused.body()).contains("OperationOutcome").contains("what the patient portal shows");
        }
        Api.Response everything = anonymous().withBearer(access).get("/fhir/Patient/" + me.patientId() + "/$everything");
        assertThat(everything.status()).as(everything.toString()).isEqualTo(200);
        assertThat(everything.body()).doesNotContain("\"resourceType\":\"Observation\"").doesNotContain("\"resourceType\":\"Encounter\"")
                .doesNotContain("\"resourceType\":\"DocumentReference\"");
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and decision = 'ALLOW' and reason_code = 'PATIENT_SELF'
                           and actor_username = ? and actor_roles = 'PATIENT' and session_id like ?""")
                .param(me.patientId()).param(PortalSession.actorOf(jdbc, me.patientId())).param("smart:" + clientId + "%").query(Long.class).single())
                .isGreaterThanOrEqualTo(2);

        // Who opened my record: the clinician's access, with role and unit, and no name or account.
        Api.Response events = anonymous().withBearer(access).get("/fhir/AuditEvent?patient=" + me.patientId());
        assertThat(events.status()).as(events.toString()).isEqualTo(200);
        Bundle bundle = FHIR.newJsonParser().parseResource(Bundle.class, events.body());
        assertThat(bundle.getEntry()).isNotEmpty();
        AuditEvent seen = (AuditEvent) bundle.getEntry().get(0).getResource();
        assertThat(seen.getAgentFirstRep().getRoleFirstRep().getCodingFirstRep().getCode()).isEqualTo("PHYSICIAN");
        assertThat(events.body()).doesNotContain(physician).doesNotContain("Practitioner/" + fixtures().staffId(physician));

        // Another patient's record, or their accesses: answered as missing, and audited.
        assertThatThrownBy(() -> fhir.read().resource(Patient.class).withId(Long.toString(other)).execute())
                .isInstanceOf(BaseServerResponseException.class)
                .satisfies(e -> assertThat(((BaseServerResponseException) e).getStatusCode()).isIn(403, 404));
        Api.Response theirs = anonymous().withBearer(access).get("/fhir/AuditEvent?patient=" + other);
        assertThat(theirs.status()).isIn(403, 404);
        assertThat(theirs.body()).contains("OperationOutcome");
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and decision = 'DENY' and actor_username = ?")
                .param(other).param(PortalSession.actorOf(jdbc, me.patientId())).query(Long.class).single()).isGreaterThanOrEqualTo(2);

        // .rs never writes: refused, audited under the app's name, nothing written.
        long before = count("observation");
        Observation write = new Observation();
        write.setStatus(Observation.ObservationStatus.FINAL);
        write.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        write.setSubject(new Reference("Patient/" + me.patientId()));
        assertThatThrownBy(() -> fhir.create().resource(write).execute()).isInstanceOf(ForbiddenOperationException.class);
        assertThat(count("observation")).isEqualTo(before);
        assertThat(jdbc.sql("select count(*) from audit_entry where decision = 'DENY' and actor_username = ? and session_id like ? and action = 'create'")
                .param(PortalSession.actorOf(jdbc, me.patientId())).param("smart:" + clientId + "%").query(Long.class).single()).isEqualTo(1);

        // The token opens /fhir and nothing else: the staff API refuses it (audited), the portal does not read it.
        Api.Response staffApi = anonymous().withBearer(access).get("/api/patients/" + me.patientId());
        assertThat(staffApi.status()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from audit_entry where request_id = ? and decision = 'DENY' and reason_code = 'APP_SCOPE'")
                .param(staffApi.header("X-Request-Id")).query(Long.class).single()).isEqualTo(1);
        assertThat(anonymous().withBearer(access).get("/api/portal/record").status()).isIn(302, 401);
    }

    @Test
    void aStaffSessionNeverAuthorizesAPatientsAppNorAPatientsSessionAStaffAppOrUserScopes() throws Exception {
        Enrolled me = enrolled();
        String patientApp = register(List.of("launch/patient", "patient/*.rs"));
        Api.Response staffScopes = as("admin").post("/api/admin/smart-apps", Map.of("name", "Bad", "redirectUris", List.of(REDIRECT),
                "scopes", List.of("patient/*.rs", "user/*.rs"), "forPatients", true));
        assertThat(staffScopes.status()).as("an app for patients holds no user/ scope").isEqualTo(422);
        Api.Response writes = as("admin").post("/api/admin/smart-apps", Map.of("name", "Bad", "redirectUris", List.of(REDIRECT),
                "scopes", List.of("patient/*.cruds"), "forPatients", true));
        assertThat(writes.status()).as("nor a write").isEqualTo(422);

        // A clinician signed in: the patient's app sends them to the portal's sign-in, no consent, no code.
        BrowserSession staff = BrowserSession.signedIn(port, "physician");
        Api.Response asStaff = staff.page(authorizeUrl(patientApp, "launch/patient patient/*.rs", Pkce.create().challenge()));
        assertThat(asStaff.status()).isEqualTo(302);
        assertThat(asStaff.header("Location")).endsWith("/portal/signin").doesNotContain("code=");

        // The patient signed in: a staff app sends them to the staff sign-in, no consent, no code.
        String staffApp = staffApp(List.of("launch/patient", "patient/*.rs", "user/*.rs"));
        Api.Response asPatient = me.session().page(authorizeUrl(staffApp, "launch/patient patient/*.rs", Pkce.create().challenge()));
        assertThat(asPatient.status()).isEqualTo(302);
        assertThat(asPatient.header("Location")).endsWith("/signin").doesNotContain("consent").doesNotContain("code=");

        // The patient's app asking a user/ scope or a write: refused before any consent.
        for (String scope : List.of("launch/patient user/*.rs", "launch/patient patient/*.cruds", "launch patient/*.rs")) {
            Api.Response wider = me.session().page(authorizeUrl(patientApp, scope, Pkce.create().challenge()));
            assertThat(wider.status()).as(scope).isEqualTo(302);
            assertThat(wider.header("Location")).as(scope).startsWith(REDIRECT).contains("error=invalid_scope");
        }
        assertThat(count("oauth2_authorization where principal_name = 'portal:" + accountOf(me) + "'")).isZero();
    }

    @Test
    void theTokensEndWhenTheDeskIssuesANewCodeOrThePatientEnrolsAgain() throws Exception {
        Enrolled me = enrolled();
        String clientId = register(List.of("launch/patient", "patient/*.rs"));
        String access = launch(me, clientId);
        assertThat(anonymous().withBearer(access).get("/fhir/Patient/" + me.patientId()).status()).isEqualTo(200);

        // A lost phone: the desk issues a new code. The app's token stops at once, and its authorization is deleted.
        Api.Response code = as("frontdesk").post("/api/patients/" + me.patientId() + "/portal-code", Map.of());
        assertThat(code.status()).isEqualTo(201);
        Api.Response after = anonymous().withBearer(access).get("/fhir/Patient/" + me.patientId());
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.body()).contains("OperationOutcome");
        assertThat(count("oauth2_authorization where principal_name = 'portal:" + accountOf(me) + "'")).isZero();

        // The patient signs in again (the old account is still theirs until they enrol with the new code) and authorizes the
        // app: then they enrol with the code, and the superseded account's tokens end with it.
        long oldAccount = accountOf(me);
        String beforeEnrolment = launch(me, clientId, true);
        assertThat(anonymous().withBearer(beforeEnrolment).get("/fhir/Patient/" + me.patientId()).status()).isEqualTo(200);
        String birth = identity(me.patientId()).birthDate().toString();
        String username = PortalTest.username();
        PortalSession again = PortalSession.enrolled(port, code.json().get("code").asString(), birth, username, PortalTest.PASSWORD);
        assertThat(jdbc.sql("select status from portal_account where id = ?").param(oldAccount).query(String.class).single())
                .isEqualTo("SUPERSEDED");
        assertThat(anonymous().withBearer(beforeEnrolment).get("/fhir/Patient/" + me.patientId()).status()).isEqualTo(401);
        assertThat(count("oauth2_authorization where principal_name = 'portal:" + oldAccount + "'")).isZero();

        // The new account's app works; and a token whose row survived (a race) still dies with its account.
        Enrolled renewed = new Enrolled(me.patientId(), username, again.secret(), again);
        String renewedToken = launch(renewed, clientId);
        assertThat(anonymous().withBearer(renewedToken).get("/fhir/Patient/" + me.patientId()).status()).isEqualTo(200);
        jdbc.sql("update portal_account set status = 'SUPERSEDED', superseded_at = now() where id = ?").param(accountOf(renewed)).update();
        assertThat(anonymous().withBearer(renewedToken).get("/fhir/Patient/" + me.patientId()).status())
                .as("an account no longer active holds no live token").isEqualTo(401);
    }

    // --- the patient's side ---

    private long accountOf(Enrolled e) {
        return jdbc.sql("select id from portal_account where patient_id = ? order by id desc limit 1").param(e.patientId()).query(Long.class).single();
    }

    /** Password then authenticator code at the portal's sign-in; returns where the portal sends the patient next. */
    private String signIn(PortalSession browser, Enrolled me) {
        // The enrolment used this step's code already: as if a little time had passed, any of the window's codes is new.
        jdbc.sql("update portal_account set totp_last_step = 0 where patient_id = ? and status = 'ACTIVE'").param(me.patientId()).update();
        browser.page("/portal/signin");
        Api.Response first = browser.form("/portal/signin", Map.of("username", me.username(), "password", PortalTest.PASSWORD));
        assertThat(first.header("Location")).as(first.body()).endsWith("/portal/signin/code");
        browser.page("/portal/signin/code");
        Api.Response second = browser.form("/portal/signin/code", Map.of("code", TotpService.codeAt(me.secret(), Instant.now())));
        assertThat(second.status()).as(second.body()).isEqualTo(302);
        String location = second.header("Location");
        return location.contains("://") ? location.substring(location.indexOf('/', location.indexOf("://") + 3)) : location;
    }

    /** The authorization request, answered by a redirect to the portal's consent page; its state. */
    private static String consentState(PortalSession browser, String authorize, String clientId) {
        Api.Response r = browser.page(authorize);
        assertThat(r.status()).as(r.toString()).isEqualTo(302);
        String location = r.header("Location");
        assertThat(location).contains("/portal/apps/consent?").doesNotContain("/smart/consent");
        Map<String, String> q = query(location);
        assertThat(q.get("client_id")).isEqualTo(clientId);
        return q.get("state");
    }

    /** Allows on the portal's consent page, then on to the authorization endpoint as the 307 says; returns the code. */
    private static String approve(PortalSession browser, String clientId, String state, List<String> scopes) {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        fields.add(Map.entry("client_id", clientId));
        fields.add(Map.entry("state", state));
        scopes.forEach(s -> fields.add(Map.entry("scope", s)));
        Api.Response consented = browser.form("/portal/apps/consent", fields);
        assertThat(consented.status()).as(consented.toString()).isEqualTo(307);
        assertThat(consented.header("Location")).isEqualTo("/oauth2/authorize");
        Api.Response issued = browser.form("/oauth2/authorize", fields);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(302);
        assertThat(issued.header("Location")).startsWith(REDIRECT);
        Map<String, String> q = query(issued.header("Location"));
        assertThat(q.get("state")).isEqualTo("app-state-1");
        return q.get("code");
    }

    private String launch(Enrolled me, String clientId) throws Exception {
        return launch(me, clientId, false);
    }

    /** The whole flow in the patient's signed-in portal session; {@code keepRow}: the token is read from the stored row. */
    private String launch(Enrolled me, String clientId, boolean fresh) throws Exception {
        PortalSession browser = fresh ? new PortalSession(port) : me.session();
        Pkce pkce = Pkce.create();
        String authorize = authorizeUrl(clientId, "launch/patient patient/*.rs", pkce.challenge());
        if (fresh) {
            browser.page(authorize);
            signIn(browser, me);
        }
        String state = consentState(browser, authorize, clientId);
        browser.page("/portal/apps/consent?client_id=" + enc(clientId) + "&state=" + enc(state));
        String code = approve(browser, clientId, state, List.of("launch/patient", "patient/*.rs"));
        return exchange(clientId, code, pkce.verifier()).get("access_token").asString();
    }

    // --- the app's side ---

    private record Pkce(String verifier, String challenge) {
        static Pkce create() throws Exception {
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
            return new Pkce(verifier, challenge);
        }
    }

    private String register(List<String> scopes) {
        Api.Response r = as("admin").post("/api/admin/smart-apps", Map.of("name", "Test patient app", "redirectUris", List.of(REDIRECT),
                "scopes", scopes, "confidential", false, "forPatients", true));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("app").get("forPatients").asBoolean()).isTrue();
        return r.json().get("app").get("clientId").asString();
    }

    private String staffApp(List<String> scopes) {
        Api.Response r = as("admin").post("/api/admin/smart-apps", Map.of("name", "Staff app", "redirectUris", List.of(REDIRECT),
                "scopes", scopes, "confidential", false));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("app").get("clientId").asString();
    }

    private String authorizeUrl(String clientId, String scope, String challenge) {
        return "/oauth2/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(REDIRECT) + "&scope=" + enc(scope)
                + "&state=app-state-1&aud=" + enc("http://127.0.0.1:" + port + "/fhir") + "&code_challenge=" + challenge
                + "&code_challenge_method=S256";
    }

    private JsonNode exchange(String clientId, String code, String verifier) throws Exception {
        Map<String, String> form = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
                "code_verifier", verifier, "client_id", clientId));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                        .collect(Collectors.joining("&")))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Api.jsonMapper().readTree(r.body());
    }

    private IGenericClient client(String accessToken) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        client.registerInterceptor(new BearerTokenAuthInterceptor(accessToken));
        return client;
    }

    private static Map<String, String> query(String url) {
        Map<String, String> q = new LinkedHashMap<>();
        int at = url.indexOf('?');
        if (at < 0) {
            return q;
        }
        for (String pair : url.substring(at + 1).split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
