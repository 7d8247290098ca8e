package org.dossier.smart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.dossier.demo.DemoAccounts;
import org.dossier.identity.CredentialService;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffStatus;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.TotpSteps;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SMART on FHIR App Launch driven over HTTP as an app and a browser would: registration by an administrator, the
 * authorization request, Dossier's own sign-in (password and authenticator code), the consent page, the code exchange with
 * PKCE, and HAPI's generic client calling /fhir with the access token. The scopes only narrow; refusals are audited.
 */
class SmartLaunchTest extends IntegrationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final String REDIRECT = "http://localhost:9/callback";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Autowired
    private CredentialService credentials;
    @Autowired
    private OrganizationService organization;

    @Test
    void discoveryAndCapabilityStatementNameSmart() {
        for (String path : List.of("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration")) {
            Api.Response r = anonymous().get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            JsonNode json = r.json();
            assertThat(json.get("authorization_endpoint").asString()).endsWith("/oauth2/authorize");
            assertThat(json.get("token_endpoint").asString()).endsWith("/oauth2/token");
            assertThat(json.get("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
            assertThat(json.get("capabilities").toString()).contains("launch-standalone", "launch-ehr", "client-public",
                    "client-confidential-symmetric", "context-standalone-patient", "context-ehr-patient", "permission-v2", "sso-openid-connect");
        }
        IGenericClient client = client(null);
        CapabilityStatement cs = client.capabilities().ofType(CapabilityStatement.class).execute();
        var security = cs.getRestFirstRep().getSecurity();
        assertThat(security.getServiceFirstRep().getCodingFirstRep().getCode()).isEqualTo("SMART-on-FHIR");
        assertThat(security.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris")
                .getExtensionByUrl("authorize").getValue().primitiveValue()).endsWith("/oauth2/authorize");
    }

    @Test
    void onlyAnAdministratorRegistersAnApp() {
        Api.Response refused = as("physician").post("/api/admin/smart-apps", registration(false, List.of("patient/*.rs")));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = 'physician' and decision = 'DENY' and detail like '%/api/admin/smart-apps%'")
                .query(Long.class).single()).isPositive();
        Api.Response bad = as("admin").post("/api/admin/smart-apps", Map.of("name", "x", "redirectUris", List.of("javascript:alert(1)"),
                "scopes", List.of("patient/*.rs")));
        assertThat(bad.status()).isEqualTo(422);
        String clientId = register(false, List.of("patient/*.rs"));
        assertThat(jdbc.sql("select count(*) from audit_entry where action = 'SECURITY:SMART_APP_REGISTERED' and detail like ?")
                .param("%" + clientId + "%").query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void standaloneLaunchWithPatientPickingNarrowsTheClinicianToThatPatient() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long mine = fixtures().patient();
        long alsoMine = fixtures().patient();
        long notMine = fixtures().patient();
        fixtures().careFor(mine, user);
        fixtures().careFor(alsoMine, user);
        String clientId = register(false, List.of("openid", "fhirUser", "launch/patient", "patient/*.rs"));
        Pkce pkce = Pkce.create();
        String authorize = authorizeUrl(clientId, "launch/patient openid fhirUser patient/*.rs", pkce.challenge(), null, REDIRECT);

        BrowserSession browser = new BrowserSession(port);
        // Not signed in: off to Dossier's sign-in, never a code.
        Api.Response first = browser.page(authorize);
        assertThat(first.status()).isEqualTo(302);
        assertThat(first.header("Location")).endsWith("/signin");
        // A password alone is not a sign-in: the authorization endpoint sends the person on to the second factor.
        assertThat(browser.login(user, DemoAccounts.PASSWORD).status()).isEqualTo(200);
        Api.Response half = browser.page(authorize);
        assertThat(half.status()).isEqualTo(302);
        assertThat(half.header("Location")).endsWith("/signin/second-factor");
        signInSecondFactor(browser, user);

        long listedBefore = listedTo(user, mine);
        Consent consent = consent(browser, authorize, "launch/patient", "openid", "fhirUser", "patient/*.rs");
        // The page offers the person's patients of the day (their care teams here), listed and audited as "my day" lists them.
        Api.Response page = browser.page("/smart/consent?client_id=" + enc(clientId) + "&scope=x&state=" + enc(consent.state()));
        assertThat(page.body()).contains("id=\"smart-today\"").contains("name=\"patient\" value=\"" + mine + "\"")
                .contains("name=\"patient\" value=\"" + alsoMine + "\"").doesNotContain("value=\"" + notMine + "\"");
        assertThat(listedTo(user, mine)).isGreaterThan(listedBefore);
        // A patient the person's work does not explain: refused by the gateway, and audited.
        Api.Response other = browser.pageForm("/smart/consent", consent.fields(notMine));
        assertThat(other.status()).isEqualTo(403);
        assertThat(deniedFor(user, notMine)).isPositive();

        String code = approve(browser, consent.fields(mine), REDIRECT);
        JsonNode token = exchange(clientId, null, code, pkce.verifier(), REDIRECT);
        assertThat(token.get("patient").asString()).isEqualTo(Long.toString(mine));
        assertThat(token.get("scope").asString()).contains("patient/*.rs");
        String idToken = token.get("id_token").asString();
        JsonNode claims = Api.jsonMapper().readTree(Base64.getUrlDecoder().decode(idToken.split("\\.")[1]));
        assertThat(claims.get("fhirUser").asString()).endsWith("/fhir/Practitioner/" + fixtures().staffId(user));

        IGenericClient fhir = client(token.get("access_token").asString());
        Patient patient = fhir.read().resource(Patient.class).withId(Long.toString(mine)).execute();
        assertThat(patient.getIdElement().getIdPart()).isEqualTo(Long.toString(mine));
        Bundle observations = fhir.search().forResource(Observation.class).where(Observation.PATIENT.hasId(Long.toString(mine)))
                .returnBundle(Bundle.class).execute();
        assertThat(observations.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);

        // Another patient the person could open: outside the app's launch patient, refused and audited under the app's name.
        assertThatThrownBy(() -> fhir.read().resource(Patient.class).withId(Long.toString(alsoMine)).execute())
                .isInstanceOf(ForbiddenOperationException.class);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and decision = 'DENY' and reason_code = 'APP_SCOPE' and session_id like ?")
                .param(alsoMine).param("smart:" + clientId + "%").query(Long.class).single()).isEqualTo(1);
        // Every allowed access names the app too.
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and decision = 'ALLOW' and session_id like ?")
                .param(mine).param("smart:" + clientId + "%").query(Long.class).single()).isPositive();

        // .rs reads and searches; a create is refused, audited, and writes nothing.
        long before = count("observation");
        Observation write = new Observation();
        write.setStatus(Observation.ObservationStatus.FINAL);
        write.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        write.setSubject(new Reference("Patient/" + mine));
        assertThatThrownBy(() -> fhir.create().resource(write).execute()).isInstanceOf(ForbiddenOperationException.class);
        assertThat(count("observation")).isEqualTo(before);
        assertThat(jdbc.sql("select count(*) from audit_entry where decision = 'DENY' and reason_code = 'APP_SCOPE' and session_id like ? and action = 'create'")
                .param("smart:" + clientId + "%").query(Long.class).single())
                .as(jdbc.sql("select concat_ws('|', action, decision, reason_code, session_id, detail) from audit_entry where actor_username = ? order by seq desc limit 5")
                        .param(user).query(String.class).list().toString()).isEqualTo(1);

        // The app's token opens the FHIR API and nothing else: refused elsewhere, and audited under the app's name.
        for (String elsewhere : List.of("/api/patients/" + mine, "/api/admin/smart-apps")) {
            Api.Response outside = anonymous().withBearer(token.get("access_token").asString()).get(elsewhere);
            assertThat(outside.status()).isEqualTo(403);
            assertThat(outside.header("Content-Type")).startsWith("application/problem+json");
            List<Map<String, Object>> trail = jdbc.sql("select decision, reason_code, actor_username, session_id from audit_entry where request_id = ?")
                    .param(outside.header("X-Request-Id")).query().listOfRows();
            assertThat(trail).as(elsewhere).hasSize(1);
            assertThat(trail.get(0)).containsEntry("decision", "DENY").containsEntry("reason_code", "APP_SCOPE")
                    .containsEntry("actor_username", user);
            assertThat(trail.get(0).get("session_id").toString()).startsWith("smart:" + clientId);
        }
    }

    /** A launch-patient app's access token for {@code scopes} (each a separate scope), approved by {@code user} for {@code patient}. */
    private String launched(BrowserSession browser, long patient, String... scopes) throws Exception {
        List<String> all = new ArrayList<>(List.of("launch/patient"));
        all.addAll(List.of(scopes));
        String clientId = register(false, all);
        Pkce pkce = Pkce.create();
        Consent consent = consent(browser, authorizeUrl(clientId, String.join(" ", all), pkce.challenge(), null, REDIRECT),
                all.toArray(String[]::new));
        return exchange(clientId, null, approve(browser, consent.fields(patient), REDIRECT), pkce.verifier(), REDIRECT)
                .get("access_token").asString();
    }

    private static java.util.Set<String> types(List<Bundle.BundleEntryComponent> entries) {
        return entries.stream().map(e -> e.getResource().fhirType()).collect(Collectors.toSet());
    }

    /**
     * What comes with an answer about one patient is within the app's scopes too: $everything with a Patient scope sends
     * the types the scopes read and no more, and a search's includes leave out (and report) a type no scope covers.
     */
    @Test
    void everythingAndIncludesStayWithinTheAppsScopes() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long mine = fixtures().patient();
        fixtures().careFor(mine, user);
        jdbc.sql("""
                insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                values (1, ?, 'HEART_RATE', '8867-4', 'Heart rate', 70, '/min', now(), 'FINAL', ?, 1, now())""")
                .param(mine).param(fixtures().staffId(user)).update();
        org.hl7.fhir.r4.model.Condition diagnosis = new org.hl7.fhir.r4.model.Condition();
        diagnosis.setSubject(new Reference("Patient/" + mine));
        diagnosis.getCode().addCoding().setSystem("http://hl7.org/fhir/sid/icd-10").setCode("I10").setDisplay("Hypertension");
        IGenericClient staff = client(as(user).token());
        staff.create().resource(diagnosis).execute();
        assertThat(types(staff.search().byUrl(staff.getServerBase() + "/Patient/" + mine + "/$everything").returnBundle(Bundle.class)
                .execute().getEntry())).as("the person's own view").contains("Patient", "Condition", "Observation");

        BrowserSession browser = BrowserSession.signedIn(port, user);
        IGenericClient narrow = client(launched(browser, mine, "patient/Patient.r", "patient/Condition.rs"));
        Bundle everything = narrow.search().byUrl(narrow.getServerBase() + "/Patient/" + mine + "/$everything").returnBundle(Bundle.class).execute();
        assertThat(types(everything.getEntry())).as("a Patient scope is not the whole chart").containsExactlyInAnyOrder("Patient", "Condition");
        Bundle withPatient = narrow.search().byUrl(narrow.getServerBase() + "/Condition?patient=" + mine + "&_include=*:patient")
                .returnBundle(Bundle.class).execute();
        assertThat(types(withPatient.getEntry())).containsExactlyInAnyOrder("Condition", "Patient");

        IGenericClient noPatient = client(launched(browser, mine, "patient/Condition.rs"));
        Bundle without = noPatient.search().byUrl(noPatient.getServerBase() + "/Condition?patient=" + mine + "&_include=*:patient")
                .returnBundle(Bundle.class).execute();
        assertThat(types(without.getEntry())).as("the Patient left out, and said so").containsExactlyInAnyOrder("Condition", "OperationOutcome");
        assertThat(without.getEntry().stream().filter(e -> e.getResource() instanceof org.hl7.fhir.r4.model.OperationOutcome)
                .map(e -> ((org.hl7.fhir.r4.model.OperationOutcome) e.getResource()).getIssueFirstRep().getDiagnostics()).findFirst().orElseThrow())
                .contains("scopes do not cover Patient");
    }

    @Test
    void userScopesReachThePersonsOwnWorkAndNoFurtherAndADisabledAppStops() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long mine = fixtures().patient();
        long notMine = fixtures().patient();
        fixtures().careFor(mine, user);
        String clientId = register(false, List.of("user/*.rs"));
        BrowserSession browser = BrowserSession.signedIn(port, user);
        Pkce pkce = Pkce.create();
        Consent consent = consent(browser, authorizeUrl(clientId, "user/*.rs", pkce.challenge(), null, REDIRECT), "user/*.rs");
        JsonNode token = exchange(clientId, null, approve(browser, consent.fields(null), REDIRECT), pkce.verifier(), REDIRECT);
        assertThat(token.has("patient")).isFalse();
        IGenericClient fhir = client(token.get("access_token").asString());
        assertThat(fhir.read().resource(Patient.class).withId(Long.toString(mine)).execute().getIdElement().getIdPart())
                .isEqualTo(Long.toString(mine));
        // The widest scope is still the person's own reach: the gateway refuses a patient nothing in their work explains.
        assertThatThrownBy(() -> fhir.read().resource(Patient.class).withId(Long.toString(notMine)).execute())
                .isInstanceOf(ForbiddenOperationException.class);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and decision = 'DENY' and reason_code = 'NO_RELATIONSHIP' and session_id like ?")
                .param(notMine).param("smart:" + clientId + "%").query(Long.class).single()).isEqualTo(1);

        // An administrator disables the app: its live token stops at once.
        assertThat(as("admin").post("/api/admin/smart-apps/" + clientId + "/disable", Map.of()).status()).isEqualTo(204);
        assertThatThrownBy(() -> fhir.read().resource(Patient.class).withId(Long.toString(mine)).execute())
                .isInstanceOf(AuthenticationException.class);
    }

    @Test
    void aBrowserSignsInThroughTheScreensAndComesBackToTheApp() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        String clientId = register(false, List.of("launch/patient", "patient/*.rs"));
        String authorize = authorizeUrl(clientId, "launch/patient patient/*.rs", Pkce.create().challenge(), null, REDIRECT);
        BrowserSession browser = new BrowserSession(port);
        assertThat(browser.page(authorize).header("Location")).endsWith("/signin");
        Api.Response password = browser.pageForm("/login", Map.of("username", user, "password", DemoAccounts.PASSWORD), true);
        assertThat(password.header("Location")).endsWith("/signin/second-factor");
        browser.refreshCsrf();
        Api.Response code = browser.pageForm("/login/totp", Map.of("code", TotpSteps.next(port, user)), true);
        assertThat(code.status()).isEqualTo(302);
        assertThat(code.header("Location")).endsWith(authorize);
        assertThat(browser.page(authorize).header("Location")).contains("/smart/consent");
    }

    /**
     * An app asks for what it needs now: narrower scopes than its registration are granted as asked (and hold), wider
     * ones are refused at the authorization endpoint with invalid_scope, before any consent.
     */
    @Test
    void anAppMayAskForNarrowerScopesThanItsRegistrationAndNeverWider() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long mine = fixtures().patient();
        fixtures().careFor(mine, user);
        String clientId = register(false, List.of("launch/patient", "patient/*.rs"));
        BrowserSession browser = BrowserSession.signedIn(port, user);

        Pkce pkce = Pkce.create();
        String authorize = authorizeUrl(clientId, "launch/patient patient/Observation.r", pkce.challenge(), null, REDIRECT);
        Consent consent = consent(browser, authorize, "launch/patient", "patient/Observation.r");
        JsonNode tokenResponse = exchange(clientId, null, approve(browser, consent.fields(mine), REDIRECT), pkce.verifier(), REDIRECT);
        assertThat(tokenResponse.get("scope").asString().split(" ")).containsExactlyInAnyOrder("launch/patient", "patient/Observation.r");
        HttpResponse<String> search = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + port + "/fhir/Observation?patient=" + mine))
                .header("Authorization", "Bearer " + tokenResponse.get("access_token").asString()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(search.statusCode()).as("read granted, search not: the narrower scope holds").isEqualTo(403);

        Api.Response wider = browser.page(authorizeUrl(clientId, "launch/patient patient/*.cruds", Pkce.create().challenge(), null, REDIRECT));
        assertThat(wider.status()).isEqualTo(302);
        assertThat(wider.header("Location")).startsWith(REDIRECT).contains("error=invalid_scope").doesNotContain("code=");
        Api.Response otherContext = browser.page(authorizeUrl(clientId, "launch/patient user/Observation.rs", Pkce.create().challenge(), null,
                REDIRECT));
        assertThat(otherContext.header("Location")).as("patient/ never becomes user/").contains("error=invalid_scope");
    }

    @Test
    void wrongVerifierAndUnregisteredRedirectAreRefused() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long mine = fixtures().patient();
        fixtures().careFor(mine, user);
        String clientId = register(false, List.of("launch/patient", "patient/Observation.rs"));
        BrowserSession browser = BrowserSession.signedIn(port, user);

        Api.Response evil = browser.page(authorizeUrl(clientId, "launch/patient patient/Observation.rs", Pkce.create().challenge(), null,
                "https://evil.example/callback"));
        assertThat(evil.status()).isEqualTo(400);
        assertThat(evil.header("Location")).isNull();

        Api.Response noPkce = browser.page("/oauth2/authorize?response_type=code&client_id=" + clientId + "&redirect_uri="
                + enc(REDIRECT) + "&scope=" + enc("launch/patient") + "&state=s1");
        assertThat(noPkce.status()).isEqualTo(302);
        assertThat(noPkce.header("Location")).startsWith(REDIRECT).contains("error=invalid_request").doesNotContain("code=");

        Pkce pkce = Pkce.create();
        String authorize = authorizeUrl(clientId, "launch/patient patient/Observation.rs", pkce.challenge(), null, REDIRECT);
        Consent consent = consent(browser, authorize, "launch/patient", "patient/Observation.rs");
        String code = approve(browser, consent.fields(mine), REDIRECT);
        HttpResponse<String> wrong = token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
                "client_id", clientId, "code_verifier", Pkce.create().verifier()), null);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("invalid_grant");
    }

    @Test
    void ehrLaunchFromTheChartAndRefreshEndWithAFreeze() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long patientId = fixtures().patient();
        fixtures().careFor(patientId, user);
        Api.Response registered = as("admin").post("/api/admin/smart-apps", Map.of("name", "Cardio viewer", "redirectUris", List.of(REDIRECT),
                "scopes", List.of("launch", "openid", "fhirUser", "patient/*.rs", "offline_access"), "confidential", true,
                "launchUri", "http://localhost:9/launch"));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        String clientId = registered.json().get("app").get("clientId").asString();
        String secret = registered.json().get("clientSecret").asString();

        BrowserSession browser = BrowserSession.signedIn(port, user);
        Api.Response launched = browser.post("/api/patients/" + patientId + "/smart-launch", Map.of("clientId", clientId));
        assertThat(launched.status()).as(launched.toString()).isEqualTo(200);
        String launch = launched.json().get("launch").asString();
        assertThat(launched.json().get("launchUrl").asString()).startsWith("http://localhost:9/launch?iss=").contains("launch=" + launch);

        // The chart offers it too: "open in app" sends the browser to the app's launch URL with a fresh launch value.
        Api.Response chart = browser.page("/patients/" + patientId);
        assertThat(chart.body()).contains("id=\"smart-launch\"").contains("Cardio viewer");
        Api.Response fromChart = browser.pageForm("/patients/" + patientId + "/smart-launch", List.of(Map.entry("clientId", clientId)));
        assertThat(fromChart.status()).isEqualTo(302);
        assertThat(fromChart.header("Location")).startsWith("http://localhost:9/launch?iss=").contains("&launch=");

        Pkce pkce = Pkce.create();
        String authorize = authorizeUrl(clientId, "launch openid fhirUser patient/*.rs offline_access", pkce.challenge(), launch, REDIRECT);
        Consent consent = consent(browser, authorize, "launch", "openid", "fhirUser", "patient/*.rs", "offline_access");
        String code = approve(browser, consent.fields(null), REDIRECT);
        JsonNode token = exchange(clientId, secret, code, pkce.verifier(), REDIRECT);
        assertThat(token.get("patient").asString()).isEqualTo(Long.toString(patientId));
        assertThat(token.has("refresh_token")).isTrue();
        IGenericClient fhir = client(token.get("access_token").asString());
        assertThat(fhir.read().resource(Patient.class).withId(Long.toString(patientId)).execute().getIdElement().getIdPart())
                .isEqualTo(Long.toString(patientId));

        // A refresh keeps the launch patient.
        HttpResponse<String> refreshed = token(Map.of("grant_type", "refresh_token", "refresh_token", token.get("refresh_token").asString()), basic(clientId, secret));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        JsonNode second = Api.jsonMapper().readTree(refreshed.body());
        assertThat(second.get("patient").asString()).isEqualTo(Long.toString(patientId));

        // Another person's launch value gives nothing.
        BrowserSession thief = BrowserSession.signedIn(port, Accounts.newPhysician(as("admin"), credentials));
        Pkce other = Pkce.create();
        Consent theirs = consent(thief, authorizeUrl(clientId, "launch patient/*.rs", other.challenge(), launch, REDIRECT), "launch", "patient/*.rs");
        String stolenCode = approve(thief, theirs.fields(null), REDIRECT);
        HttpResponse<String> refused = token(Map.of("grant_type", "authorization_code", "code", stolenCode, "redirect_uri", REDIRECT,
                "code_verifier", other.verifier()), basic(clientId, secret));
        assertThat(refused.statusCode()).isEqualTo(400);

        // The account is frozen (as the guard freezes it): the access token stops at once, the refresh token with it.
        organization.setStatusBySystem(fixtures().staffId(user), StaffStatus.FROZEN, null, "test: frozen by the guard");
        IGenericClient after = client(second.get("access_token").asString());
        assertThatThrownBy(() -> after.read().resource(Patient.class).withId(Long.toString(patientId)).execute())
                .isInstanceOf(AuthenticationException.class);
        HttpResponse<String> refreshAfter = token(Map.of("grant_type", "refresh_token", "refresh_token", second.get("refresh_token").asString()),
                basic(clientId, secret));
        assertThat(refreshAfter.statusCode()).isEqualTo(400);
        assertThat(refreshAfter.body()).contains("invalid_grant");
        assertThat(jdbc.sql("select count(*) from oauth2_authorization where principal_name = ?").param(user).query(Long.class).single()).isZero();
    }

    @Test
    void aCopyOfTheDatabaseYieldsNoUsableTokenAndTheFlowStillWorks() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        long patientId = fixtures().patient();
        fixtures().careFor(patientId, user);
        Api.Response registered = as("admin").post("/api/admin/smart-apps", Map.of("name", "Hashed", "redirectUris", List.of(REDIRECT),
                "scopes", List.of("launch/patient", "openid", "fhirUser", "patient/*.rs", "offline_access"), "confidential", true));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        String clientId = registered.json().get("app").get("clientId").asString();
        String secret = registered.json().get("clientSecret").asString();
        BrowserSession browser = BrowserSession.signedIn(port, user);
        Pkce pkce = Pkce.create();
        Consent consent = consent(browser, authorizeUrl(clientId, "launch/patient openid fhirUser patient/*.rs offline_access",
                pkce.challenge(), null, REDIRECT), "launch/patient", "openid", "fhirUser", "patient/*.rs", "offline_access");
        String code = approve(browser, consent.fields(patientId), REDIRECT);
        JsonNode first = exchange(clientId, secret, code, pkce.verifier(), REDIRECT);
        String access = first.get("access_token").asString();
        String refresh = first.get("refresh_token").asString();

        // Nothing the app holds is in the database, in any column: only hashes.
        List<String> held = List.of(code, access, refresh, first.get("id_token").asString());
        assertThat(storedRowsOf(user)).isNotEmpty().allSatisfy(row -> held.forEach(v -> assertThat(row).doesNotContain(v)));
        assertThat(jdbc.sql("select access_token_value from oauth2_authorization where principal_name = ?").param(user)
                .query(String.class).single()).startsWith("sha256:");
        // The code is spent: a second exchange fails.
        HttpResponse<String> replay = token(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
                "code_verifier", pkce.verifier()), basic(clientId, secret));
        assertThat(replay.statusCode()).isEqualTo(400);

        // A refresh after that replay (which revoked the first tokens) needs a fresh grant: start again and refresh.
        Pkce again = Pkce.create();
        Consent second = consent(browser, authorizeUrl(clientId, "launch/patient openid fhirUser patient/*.rs offline_access",
                again.challenge(), null, REDIRECT), "launch/patient", "openid", "fhirUser", "patient/*.rs", "offline_access");
        JsonNode issued = exchange(clientId, secret, approve(browser, second.fields(patientId), REDIRECT), again.verifier(), REDIRECT);
        assertThat(client(issued.get("access_token").asString()).read().resource(Patient.class).withId(Long.toString(patientId)).execute()
                .getIdElement().getIdPart()).isEqualTo(Long.toString(patientId));
        HttpResponse<String> refreshed = token(Map.of("grant_type", "refresh_token", "refresh_token", issued.get("refresh_token").asString()),
                basic(clientId, secret));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        JsonNode rotated = Api.jsonMapper().readTree(refreshed.body());
        // Rotated: a new refresh token (the stored hash is never handed out), the launch patient kept, the new access token works.
        assertThat(rotated.get("refresh_token").asString()).isNotEqualTo(issued.get("refresh_token").asString());
        assertThat(rotated.get("patient").asString()).isEqualTo(Long.toString(patientId));
        assertThat(client(rotated.get("access_token").asString()).read().resource(Patient.class).withId(Long.toString(patientId)).execute()
                .getIdElement().getIdPart()).isEqualTo(Long.toString(patientId));
        List<String> now = List.of(rotated.get("access_token").asString(), rotated.get("refresh_token").asString(), rotated.get("id_token").asString());
        assertThat(storedRowsOf(user)).allSatisfy(row -> now.forEach(v -> assertThat(row).doesNotContain(v)));
        // The old refresh token is spent; the stored hash itself is no token either.
        HttpResponse<String> oldRefresh = token(Map.of("grant_type", "refresh_token", "refresh_token", issued.get("refresh_token").asString()),
                basic(clientId, secret));
        assertThat(oldRefresh.statusCode()).isEqualTo(400);
        String storedHash = jdbc.sql("select access_token_value from oauth2_authorization where access_token_value = ?")
                .param("sha256:" + sha256Hex(rotated.get("access_token").asString())).query(String.class).single();
        assertThat(anonymous().withBearer(storedHash).get("/fhir/Patient/" + patientId).status()).isEqualTo(401);

        // Introspection and revocation find the token by its value, though only its hash is kept.
        HttpResponse<String> introspected = form("/oauth2/introspect", Map.of("token", rotated.get("access_token").asString()), basic(clientId, secret));
        assertThat(Api.jsonMapper().readTree(introspected.body()).get("active").asBoolean()).isTrue();
        HttpResponse<String> revoked = form("/oauth2/revoke", Map.of("token", rotated.get("refresh_token").asString(),
                "token_type_hint", "refresh_token"), basic(clientId, secret));
        assertThat(revoked.statusCode()).isEqualTo(200);
        HttpResponse<String> afterRevoke = token(Map.of("grant_type", "refresh_token", "refresh_token", rotated.get("refresh_token").asString()),
                basic(clientId, secret));
        assertThat(afterRevoke.statusCode()).isEqualTo(400);
    }

    @Test
    void idTokensAreSignedWithTheKeptKeyAndUserinfoAnswersTheAppsToken() throws Exception {
        String user = Accounts.newPhysician(as("admin"), credentials);
        String clientId = register(false, List.of("openid", "fhirUser", "user/*.rs"));
        BrowserSession browser = BrowserSession.signedIn(port, user);
        Pkce pkce = Pkce.create();
        Consent consent = consent(browser, authorizeUrl(clientId, "openid fhirUser user/*.rs", pkce.challenge(), null, REDIRECT),
                "openid", "fhirUser", "user/*.rs");
        JsonNode token = exchange(clientId, null, approve(browser, consent.fields(null), REDIRECT), pkce.verifier(), REDIRECT);

        // The JWKS serves the key kept (sealed) in the database — not one generated at this start — and the id token verifies with it.
        Map<String, Object> kept = jdbc.sql("select key_id, public_jwk from smart_signing_key").query().singleRow();
        JsonNode jwks = anonymous().get("/oauth2/jwks").json();
        assertThat(jwks.get("keys").size()).isEqualTo(1);
        assertThat(jwks.get("keys").get(0).get("kid").asString()).isEqualTo(kept.get("key_id"));
        com.nimbusds.jose.jwk.RSAKey published = com.nimbusds.jose.jwk.RSAKey.parse(jwks.get("keys").get(0).toString());
        com.nimbusds.jose.jwk.RSAKey stored = com.nimbusds.jose.jwk.RSAKey.parse(kept.get("public_jwk").toString());
        assertThat(published.getModulus()).isEqualTo(stored.getModulus());
        assertThat(stored.isPrivate()).isFalse();
        com.nimbusds.jwt.SignedJWT idToken = com.nimbusds.jwt.SignedJWT.parse(token.get("id_token").asString());
        assertThat(idToken.getHeader().getKeyID()).isEqualTo(kept.get("key_id"));
        assertThat(idToken.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(stored))).isTrue();

        // /userinfo answers the app's opaque access token with the person the id token names.
        HttpResponse<String> info = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/userinfo"))
                .header("Authorization", "Bearer " + token.get("access_token").asString()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
        JsonNode person = Api.jsonMapper().readTree(info.body());
        assertThat(person.get("sub").asString()).isEqualTo(user);
        assertThat(person.get("fhirUser").asString()).endsWith("/fhir/Practitioner/" + fixtures().staffId(user));
        // No token, a wrong one, or a Dossier API token (no OIDC authorization): 401 with the bearer challenge, never the sign-in page.
        for (String bearer : java.util.Arrays.asList(null, "not-a-token", as("physician").token())) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/userinfo")).GET();
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            HttpResponse<String> refused = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(String.valueOf(bearer)).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).as(String.valueOf(bearer)).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
    }

    /** Every column of the person's stored authorizations, as text. */
    private List<String> storedRowsOf(String user) {
        return jdbc.sql("select a::text from oauth2_authorization a where principal_name = ?").param(user).query(String.class).list();
    }

    private static String sha256Hex(String value) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private HttpResponse<String> form(String path, Map<String, String> form, String authorization) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                        .collect(Collectors.joining("&")))).build(), HttpResponse.BodyHandlers.ofString());
    }

    // --- the app's side of the flow ---

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

    /** The consent page's form: its hidden fields and every scope box ticked. */
    private record Consent(String clientId, String state, List<String> scopes) {
        List<Map.Entry<String, String>> fields(Long patient) {
            List<Map.Entry<String, String>> f = new ArrayList<>();
            f.add(Map.entry("client_id", clientId));
            f.add(Map.entry("state", state));
            scopes.forEach(s -> f.add(Map.entry("scope", s)));
            if (patient != null) {
                f.add(Map.entry("patient", Long.toString(patient)));
            }
            return f;
        }
    }

    private String authorizeUrl(String clientId, String scope, String challenge, String launch, String redirect) {
        return "/oauth2/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(redirect) + "&scope=" + enc(scope)
                + "&state=app-state-1&aud=" + enc("http://127.0.0.1:" + port + "/fhir") + "&code_challenge=" + challenge
                + "&code_challenge_method=S256" + (launch == null ? "" : "&launch=" + enc(launch));
    }

    private Consent consent(BrowserSession browser, String authorize, String... expectedScopes) {
        Api.Response r = browser.page(authorize);
        assertThat(r.status()).as(r.toString()).isEqualTo(302);
        String location = r.header("Location");
        assertThat(location).contains("/smart/consent");
        Map<String, String> q = query(location);
        Api.Response page = browser.page(location.substring(location.indexOf("/smart/consent")));
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        for (String s : expectedScopes) {
            assertThat(page.body()).contains(s);
        }
        return new Consent(q.get("client_id"), q.get("state"), List.of(expectedScopes));
    }

    /** Posts the consent (as the page does, then on to the authorization endpoint as the 307 says) and returns the code. */
    private static String approve(BrowserSession browser, List<Map.Entry<String, String>> fields, String redirect) {
        Api.Response consented = browser.pageForm("/smart/consent", fields);
        assertThat(consented.status()).as(consented.toString()).isEqualTo(307);
        assertThat(consented.header("Location")).isEqualTo("/oauth2/authorize");
        Api.Response issued = browser.pageForm("/oauth2/authorize", fields);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(302);
        String location = issued.header("Location");
        assertThat(location).startsWith(redirect);
        Map<String, String> q = query(location);
        assertThat(q.get("state")).isEqualTo("app-state-1");
        return q.get("code");
    }

    private JsonNode exchange(String clientId, String secret, String code, String verifier, String redirect) throws Exception {
        Map<String, String> form = new LinkedHashMap<>(Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", redirect,
                "code_verifier", verifier));
        if (secret == null) {
            form.put("client_id", clientId);
        }
        HttpResponse<String> r = token(form, secret == null ? null : basic(clientId, secret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Api.jsonMapper().readTree(r.body());
    }

    private HttpResponse<String> token(Map<String, String> form, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                        .collect(Collectors.joining("&"))));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String clientId, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((enc(clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8));
    }

    private IGenericClient client(String accessToken) {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        IGenericClient client = FHIR.newRestfulGenericClient("http://127.0.0.1:" + port + "/fhir");
        if (accessToken != null) {
            client.registerInterceptor(new BearerTokenAuthInterceptor(accessToken));
        }
        return client;
    }

    private void signInSecondFactor(BrowserSession browser, String user) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Api.Response second = browser.form("/login/totp", Map.of("code", TotpSteps.next(port, user)));
            if (second.status() == 200 && "SIGNED_IN".equals(second.json().get("status").asString())) {
                return;
            }
        }
        throw new IllegalStateException("second factor failed for " + user);
    }

    private long listedTo(String user, long patientId) {
        return jdbc.sql("select count(*) from audit_entry where actor_username = ? and patient_id = ? and decision = 'ALLOW' and action = 'list'")
                .param(user).param(patientId).query(Long.class).single();
    }

    private long deniedFor(String user, long patientId) {
        return jdbc.sql("select count(*) from audit_entry where actor_username = ? and patient_id = ? and decision = 'DENY'")
                .param(user).param(patientId).query(Long.class).single();
    }

    private String register(boolean confidential, List<String> scopes) {
        Api.Response r = as("admin").post("/api/admin/smart-apps", registration(confidential, scopes));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("app").get("clientId").asString();
    }

    private static Map<String, Object> registration(boolean confidential, List<String> scopes) {
        return Map.of("name", "Test app", "redirectUris", List.of(REDIRECT), "scopes", scopes, "confidential", confidential);
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
