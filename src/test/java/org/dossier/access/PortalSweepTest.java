package org.dossier.access;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientAppFlow;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed in as a patient of the portal, requests every route the application maps (from the running server's own
 * mappings, so a route added later is swept the day it is added) and every FHIR interaction the server declares, with the
 * ids of another patient's records in the paths and bodies. No staff endpoint answers the patient's session (401, or 403
 * for a change refused before anything runs; the public pages — sign-in, health, API description — name no one), and
 * no answer, the portal's own included, shows the other patient (ADR 0039).
 */
class PortalSweepTest extends IntegrationTest {

    private static final String FAMILY = "Portaille";
    private static final String GIVEN = "Octave";
    private static final String PASSWORD = "a long walk by the quiet river";

    /** Routes the staff chain answers to anyone (sign-in, health, the API description, discovery): they hold no patient data. */
    private static final Pattern PUBLIC = Pattern.compile("^(/actuator/health.*|/api/docs.*|/error|/favicon\\.ico|/login.*|/api/auth/(token|csrf|status)"
            + "|/signin|/signin/link|/\\.well-known/smart-configuration|/fhir/\\.well-known/smart-configuration|/fhir/metadata)$");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void aPatientsSessionOpensNoStaffRouteNoFhirInteractionAndNoOtherPatient() {
        Map<String, List<String>> other = SweepRecords.records(this::as, fixtures(), jdbc, FAMILY, GIVEN);
        long otherId = Long.parseLong(other.get("patient").get(0));
        long own = fixtures().patient();
        String birth = identity(own).birthDate().toString();
        String code = as("frontdesk").post("/api/patients/" + own + "/portal-code", Map.of()).json().get("code").asString();
        PortalSession patient = PortalSession.enrolled(port, code, birth, "sweeper" + (System.nanoTime() % 100000), PASSWORD);
        patient.page("/portal/record");

        List<String> leaks = new ArrayList<>();
        Set<String> swept = new TreeSet<>();
        for (var entry : mappings.getHandlerMethods().entrySet()) {
            Set<RequestMethod> methods = entry.getKey().getMethodsCondition().getMethods();
            for (String pattern : entry.getKey().getPatternValues()) {
                for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    String path = concrete(pattern, other, otherId);
                    swept.add(method + " " + pattern);
                    Api.Response r = patient.call(method.name(), path, body(other, otherId));
                    String problem = problem(pattern, path, r, otherId);
                    if (problem != null) {
                        leaks.add(method + " " + path + " → " + problem);
                    }
                }
            }
        }
        List<FhirEndpointSweepTest.Call> fhir = FhirEndpointSweepTest.plan(anonymous().get("/fhir/metadata").json(), other,
                url -> as("physician").get(url).body(), new ArrayList<>());
        for (FhirEndpointSweepTest.Call call : fhir) {
            swept.add(call.key());
            Api.Response r = patient.call(call.method(), call.url(), call.body());
            if (r.status() != 401 && r.status() != 403) {
                leaks.add(call.key() + " " + call.method() + " " + call.url() + " → " + r.status());
            } else if (shows(r.body(), otherId)) {
                leaks.add(call.key() + " " + call.url() + " → names the other patient");
            }
        }
        System.out.println("PortalSweepTest: " + swept.size() + " routes and FHIR interactions swept as a patient");
        assertThat(swept).as("the sweep found the application's routes and FHIR interactions").hasSizeGreaterThan(250);
        assertThat(shows(as("physician").get("/api/patients/" + otherId).body(), otherId))
                .as("the detector sees the other patient where their physician is answered").isTrue();
        assertThat(leaks).isEmpty();
        assertThat(patient.page("/portal/record").status()).as("and the patient's own record still opens").isEqualTo(200);
    }

    /**
     * A patient's own app (ADR 0045), its token allowed every read and search of the patient's record: every FHIR
     * interaction the server declares, with the other patient's ids. No answer names the other patient, nothing is
     * written (no change answered 2xx), nothing fails (5xx); and the app still reads its own patient.
     */
    @Test
    void aPatientsAppReachesNoOtherPatientOverFhir() throws Exception {
        Map<String, List<String>> other = SweepRecords.records(this::as, fixtures(), jdbc, FAMILY, GIVEN);
        long otherId = Long.parseLong(other.get("patient").get(0));
        long own = fixtures().patient();
        String birth = identity(own).birthDate().toString();
        String code = as("frontdesk").post("/api/patients/" + own + "/portal-code", Map.of()).json().get("code").asString();
        PortalSession patient = PortalSession.enrolled(port, code, birth, "appsweeper" + (System.nanoTime() % 100000), PASSWORD);
        String client = PatientAppFlow.register(as("admin"), List.of("openid", "fhirUser", "launch/patient", "patient/*.rs"));
        Api app = anonymous().withBearer(PatientAppFlow.token(port, patient, client, "openid fhirUser launch/patient patient/*.rs"));

        List<String> leaks = new ArrayList<>();
        List<FhirEndpointSweepTest.Call> fhir = FhirEndpointSweepTest.plan(anonymous().get("/fhir/metadata").json(), other,
                url -> as("physician").get(url).body(), new ArrayList<>());
        for (FhirEndpointSweepTest.Call call : fhir) {
            Api.Response r = FhirEndpointSweepTest.send(app, call);
            boolean change = !call.method().equals("GET") && !call.key().contains("search");
            if (shows(r.body(), otherId)) {
                leaks.add(call.key() + " " + call.url() + " → names the other patient");
            } else if (r.status() >= 500 || (change && r.status() / 100 == 2)) {
                leaks.add(call.key() + " " + call.method() + " " + call.url() + " → " + r.status() + " " + abbreviate(r.body()));
            }
        }
        System.out.println("PortalSweepTest: " + fhir.size() + " FHIR interactions swept with a patient's app token");
        assertThat(fhir).hasSizeGreaterThan(60);
        assertThat(leaks).isEmpty();
        assertThat(app.get("/fhir/Patient/" + own).status()).as("and the app still reads its own patient").isEqualTo(200);
    }

    /** Why the answer to the patient's session breaks the property, or null. */
    private static String problem(String pattern, String path, Api.Response r, long otherId) {
        if (shows(r.body(), otherId)) {
            return r.status() + " names the other patient";
        }
        if (pattern.startsWith("/portal") || pattern.startsWith("/api/portal") || PUBLIC.matcher(pattern).matches()) {
            return r.status() >= 500 ? r.status() + " " + abbreviate(r.body()) : null;
        }
        boolean refused = r.status() == 401 || r.status() == 403
                || (r.status() == 302 && String.valueOf(r.header("Location")).contains("/signin"));
        return refused ? null : r.status() + " " + abbreviate(r.body());
    }

    private static boolean shows(String body, long otherId) {
        return body != null && (body.contains(FAMILY) || body.contains(GIVEN) || body.contains("/patients/" + otherId + "\"")
                || body.contains("Patient/" + otherId + "\""));
    }

    /** The pattern with each variable replaced by the id of the other patient's record of that kind, or the patient's id. */
    private static String concrete(String pattern, Map<String, List<String>> ids, long otherId) {
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(pattern);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String before = pattern.substring(0, m.start());
            String kind = before.replaceAll(".*/api/([a-z-]+)/$", "$1");
            String value = switch (kind) {
                case "notes" -> first(ids, "note");
                case "allergies" -> first(ids, "allergy");
                case "problems" -> first(ids, "problem");
                case "observations" -> first(ids, "observation");
                case "documents" -> first(ids, "document");
                case "prescriptions" -> first(ids, "prescription");
                case "stays" -> first(ids, "stay");
                case "referrals" -> first(ids, "referral");
                case "care-team" -> first(ids, "careTeamMember");
                default -> Long.toString(otherId);
            };
            m.appendReplacement(b, value == null ? Long.toString(otherId) : value);
        }
        m.appendTail(b);
        return b.toString().replace("**", "x");
    }

    private static String first(Map<String, List<String>> ids, String kind) {
        List<String> values = ids.get(kind);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String body(Map<String, List<String>> ids, long otherId) {
        return "{\"patientId\": " + otherId + ", \"reason\": \"sweep\", \"version\": 1, \"unitId\": " + first(ids, "unit")
                + ", \"stayId\": " + first(ids, "stay") + "}";
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 160 ? body.substring(0, 160) + "…" : body;
    }
}
