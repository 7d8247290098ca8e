package org.dossier.access;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EndpointSweepTest} for {@code /fhir}: every interaction the server declares in its CapabilityStatement — each
 * resource type's reads, histories and searches, its creates, updates and deletes, its operations, and the server's own
 * interactions and operations — is tried against the fixture patient's records by a physician of the same facility with
 * no relationship to the patient, by a physician of another facility, and by an anonymous caller. Each must be refused
 * (403 or 404 with a DENY entry in the trail for the request; 401 for the anonymous caller) or answered with nothing of the
 * fixture's patients. The interactions come from the running server, so one added later is swept the day it is added,
 * and one the sweep cannot call fails the test until it is taught here or excluded with its reason.
 */
class FhirEndpointSweepTest extends IntegrationTest {

    private static final String FAMILY = "Refusaille";
    private static final String GIVEN = "Gontran";

    /** Interactions not tried by a caller, each with its reason and the test that covers it. Key: "FHIR type code" and caller. */
    private static final Map<String, String> NOT_SWEPT = Map.ofEntries(
            // HAPI's description of the server's own operations: conformance, like /fhir/metadata, names no one.
            entry("FHIR OperationDefinition read", "definition of an operation of the server: no patient data"),
            // Registering a patient names no existing one: the copy of the fixture's identity it sends is the caller's.
            entry("FHIR Patient create", "registers a new patient (PatientRegistrationTest, FhirApiTest); refused anonymously below"),
            // An identity search is open to the clinicians of the patient's facility: bounded, audited and charged one patient
            // at a time (PatientSearchTest, ExposureSweepTest). Another facility's clinician and the anonymous caller are swept.
            entry("FHIR Patient search-type as unrelated", "identity search of the facility's clinicians (PatientSearchTest)"));

    private static final Pattern PATIENT_IN_URL = Pattern.compile("(?:[?&]patient=|[?&]beneficiary=|Patient/|CareTeam/|Coverage/)(\\d+)");

    @Autowired
    CredentialService credentials;

    /** One request of the sweep: what it tries, and how. */
    record Call(String key, String method, String url, String body, Map<String, String> headers) {
    }

    @Test
    void everyFhirInteractionRefusesAnUnrelatedClinicianAnotherFacilitysAndAnAnonymousCaller() {
        Map<String, List<String>> ids = SweepRecords.records(this::as, fixtures(), jdbc, FAMILY, GIVEN);
        Set<Long> fixturePatients = fixturePatients(ids);
        String unrelated = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "PNEUMO"));
        List<String> failures = new ArrayList<>();
        List<Call> calls = plan(anonymous().get("/fhir/metadata").json(), ids, this::asRead, failures);
        ExposureSweepTest.PatientIndex index = new ExposureSweepTest.PatientIndex(jdbc, cipher());
        List<String> leaks = new ArrayList<>();
        Set<String> swept = new java.util.TreeSet<>();
        for (Call call : calls) {
            swept.add(call.key());
            for (String caller : List.of(unrelated, "physician.sud", "anonymous")) {
                String who = caller.equals(unrelated) ? "unrelated" : caller;
                if (NOT_SWEPT.containsKey(call.key() + " as " + who)) {
                    continue;
                }
                Api api = caller.equals("anonymous") ? anonymous() : as(caller);
                String problem = problemOf(call, who, send(api, call), index, fixturePatients);
                if (problem != null) {
                    leaks.add(call.key() + " as " + who + " (" + call.method() + " " + call.url() + ") → " + problem);
                }
            }
        }
        System.out.println("FhirEndpointSweepTest swept " + swept.size() + " interactions: " + swept);
        assertThat(failures).as("interactions the server declares that the sweep cannot call (teach plan() or add to NOT_SWEPT)").isEmpty();
        assertThat(swept).as("the sweep found the server's interactions").contains("FHIR Patient read", "FHIR Observation search-type",
                "FHIR AllergyIntolerance update", "FHIR Patient $everything", "FHIR transaction").hasSizeGreaterThan(60);
        assertThat(leaks).isEmpty();
        assertThat(as("physician").get("/fhir/Patient/" + ids.get("patient").get(0)).status())
                .as("and the patient's own clinicians still read them").isEqualTo(200);
    }

    /** A FHIR interaction, resource type or operation the server starts declaring fails the sweep until it is taught. */
    @Test
    void anInteractionTheSweepDoesNotKnowFailsIt() {
        ObjectNode metadata = Api.jsonMapper().createObjectNode();
        ObjectNode rest = metadata.putArray("rest").addObject();
        ObjectNode flag = rest.putArray("resource").addObject();
        flag.put("type", "Flag");
        flag.putArray("interaction").addObject().put("code", "read");
        flag.putArray("operation").addObject().put("name", "summary");
        rest.putArray("operation").addObject().put("name", "$purge");
        rest.putArray("interaction").addObject().put("code", "history-system");
        List<String> failures = new ArrayList<>();
        Map<String, List<String>> ids = Map.of("patient", List.of("1"), "receivedPatient", List.of("2"), "name", List.of("A", "B"));

        plan(metadata, ids, url -> "{}", failures);

        assertThat(failures).anyMatch(f -> f.startsWith("FHIR Flag read")).anyMatch(f -> f.startsWith("FHIR Flag $summary"))
                .anyMatch(f -> f.startsWith("FHIR $purge")).anyMatch(f -> f.startsWith("FHIR history-system"));
    }

    /** Every call the capability statement asks for; what cannot be called goes to {@code failures}. */
    static List<Call> plan(JsonNode metadata, Map<String, List<String>> ids, java.util.function.Function<String, String> readAsOwner,
                           List<String> failures) {
        List<Call> calls = new ArrayList<>();
        JsonNode rest = metadata.get("rest").get(0);
        for (JsonNode resource : rest.get("resource")) {
            String type = resource.get("type").asString();
            Set<String> params = new HashSet<>();
            if (resource.has("searchParam")) {
                resource.get("searchParam").forEach(p -> params.add(p.get("name").asString()));
            }
            for (JsonNode interaction : resource.get("interaction")) {
                String key = "FHIR " + type + " " + interaction.get("code").asString();
                if (!NOT_SWEPT.containsKey(key)) {
                    add(calls, failures, key, callsOf(type, interaction.get("code").asString(), params, ids, readAsOwner));
                }
            }
            for (JsonNode operation : resource.has("operation") ? resource.get("operation") : List.<JsonNode>of()) {
                String name = operation.get("name").asString().replaceFirst("^\\$", "");
                String key = "FHIR " + type + " $" + name;
                add(calls, failures, key, type.equals("Patient") && name.equals("everything")
                        ? List.of(get(key, "/fhir/Patient/" + ids.get("patient").get(0) + "/$everything")) : List.of());
            }
        }
        for (JsonNode interaction : rest.has("interaction") ? rest.get("interaction") : List.<JsonNode>of()) {
            String code = interaction.get("code").asString();
            String key = "FHIR " + code;
            add(calls, failures, key, Set.of("transaction", "batch").contains(code)
                    ? List.of(new Call(key, "POST", "/fhir", bundle(code, ids), Map.of("X-Dossier-Facility", "1"))) : List.of());
        }
        for (JsonNode operation : rest.has("operation") ? rest.get("operation") : List.<JsonNode>of()) {
            String key = "FHIR $" + operation.get("name").asString().replaceFirst("^\\$", "");
            add(calls, failures, key, List.of());
        }
        return calls;
    }

    private static void add(List<Call> calls, List<String> failures, String key, List<Call> found) {
        if (found.isEmpty() && !NOT_SWEPT.containsKey(key)) {
            failures.add(key + ": neither swept nor excluded");
        }
        calls.addAll(found);
    }

    /** The calls of one interaction of a type: the reads and searches of the exposure sweep, the changes on its first record. */
    private static List<Call> callsOf(String type, String code, Set<String> params, Map<String, List<String>> ids,
                                      java.util.function.Function<String, String> readAsOwner) {
        String key = "FHIR " + type + " " + code;
        if (Set.of("read", "vread", "history-instance", "history-type", "search-type").contains(code)) {
            return SweepRecords.fhirUrls(type, code, params, ids).stream().map(url -> get(key, url)).toList();
        }
        List<String> reads = SweepRecords.fhirUrls(type, "read", params, ids);
        if (reads.isEmpty() || !Set.of("create", "update", "delete").contains(code)) {
            return List.of();
        }
        String record = reads.get(0);
        String body = code.equals("delete") ? null : readAsOwner.apply(record);
        return switch (code) {
            case "create" -> List.of(new Call(key, "POST", "/fhir/" + type, creatable(type, body), Map.of()));
            // the version the owner read, so that the request reaches the decision rather than the version check
            case "update" -> List.of(new Call(key, "PUT", record, body, Map.of("If-Match", "W/\"" + versionOf(body) + "\"",
                    "X-Dossier-Change-Reason", "sweep")));
            default -> List.of(new Call(key, "DELETE", record, null, Map.of()));
        };
    }

    private static String versionOf(String resource) {
        Matcher m = Pattern.compile("\"versionId\"\\s*:\\s*\"([^\"]+)\"").matcher(resource);
        return m.find() ? m.group(1) : "1";
    }

    private static Call get(String key, String url) {
        return new Call(key, "GET", url, null, Map.of());
    }

    /** A Bundle of the given type that registers a copy of the fixture patient and reads the patient back. */
    private static String bundle(String type, Map<String, List<String>> ids) {
        return """
                {"resourceType":"Bundle","type":"%s","entry":[
                 {"request":{"method":"GET","url":"Patient/%s"}},
                 {"request":{"method":"POST","url":"Patient"},
                  "resource":{"resourceType":"Patient","name":[{"family":"%s","given":["%s"]}],"gender":"female","birthDate":"1970-01-01"}}]}"""
                .formatted(type, ids.get("patient").get(0), ids.get("name").get(0), ids.get("name").get(1));
    }

    /** The record as read, as a create sends it: no id or meta, and a document with its content (a read leaves it out). */
    private static String creatable(String type, String resource) {
        String body = resource.replaceFirst("\"id\"\\s*:\\s*\"[^\"]*\",?", "").replaceFirst("\"meta\"\\s*:\\s*\\{[^}]*},?", "");
        return type.equals("DocumentReference") ? body.replaceFirst("\"attachment\"\\s*:\\s*\\{", "\"attachment\":{\"data\":\"JVBERi0xLjQ=\",")
                : body;
    }

    /** A record as the patient's own physician reads it: the body a create or an update sends. */
    private String asRead(String url) {
        Api.Response r = as("physician").get(url);
        assertThat(r.status()).as(url + " as the patient's physician: " + r).isEqualTo(200);
        return r.body();
    }

    static Api.Response send(Api api, Call call) {
        Map<String, String> headers = new java.util.HashMap<>(call.headers());
        return switch (call.method()) {
            case "GET" -> api.get(call.url());
            case "DELETE" -> api.delete(call.url());
            case "PUT" -> api.putRaw(call.url(), "application/fhir+json", call.body(), headers);
            default -> api.postRaw(call.url(), "application/fhir+json", call.body(), headers);
        };
    }

    /**
     * Why an answer breaks the property, or null. A refusal (403, 404; 405 to an update) is audited and may name the patient's id only to the
     * same facility's clinician (so that they may break the glass), never who the patient is; an anonymous caller is refused
     * before anything is read (401, or 403 for a change without a CSRF token); any other answer shows none of the fixture's
     * patients, and to a request naming one of them it is either a refusal or what the patient's own physician gets too (the
     * record has no such version for anyone).
     */
    private String problemOf(Call call, String who, Api.Response r, ExposureSweepTest.PatientIndex index, Set<Long> patients) {
        Map<Long, String> shown = new LinkedHashMap<>(index.evidence(withoutLinks(r.body())));
        shown.keySet().retainAll(patients);
        // 405: an update of a record the caller cannot see is answered as an update-as-create of a record that does not exist
        boolean refused = r.status() == 403 || r.status() == 404 || r.status() == 405 && call.method().equals("PUT");
        if (refused && who.equals("unrelated")) {
            shown.values().removeIf(evidence -> evidence.startsWith("id: "));
        }
        if (!shown.isEmpty()) {
            return r.status() + " showing " + shown;
        }
        if (who.equals("anonymous")) {
            return r.status() == 401 || r.status() == 403 ? null : r.status() + " to an anonymous caller";
        }
        if (refused && refusalAudited(r.header("X-Request-Id"))) {
            return null;
        }
        boolean namesAPatient = namesAFixturePatient(call, patients);
        if (r.status() / 100 == 2 && !namesAPatient) {
            return null; // the directory, or a search that found none of the fixture's patients
        }
        if (call.method().equals("GET") && r.status() / 100 == 4 && as("physician").get(call.url()).status() == r.status()) {
            return null;
        }
        return r.status() + (refused ? " but no DENY entry in the audit trail" : namesAPatient ? " to a request naming the patient" : "")
                + ": " + abbreviate(r.body());
    }

    /** A search answer's links repeat the request's own parameters (an IPP searched for), which show nothing found. */
    private static String withoutLinks(String body) {
        return body == null ? null : body.replaceAll("\"link\"\\s*:\\s*\\[[^\\]]*\\]", "");
    }

    private static boolean namesAFixturePatient(Call call, Set<Long> patients) {
        Matcher m = PATIENT_IN_URL.matcher(call.url() + " " + (call.body() == null ? "" : call.body()));
        while (m.find()) {
            if (patients.contains(Long.parseLong(m.group(1)))) {
                return true;
            }
        }
        return false;
    }

    private boolean refusalAudited(String requestId) {
        return requestId != null && jdbc.sql("select count(*) from audit_entry where request_id = ? and decision = 'DENY'")
                .param(requestId).query(Long.class).single() > 0;
    }

    private static Set<Long> fixturePatients(Map<String, List<String>> ids) {
        Set<Long> patients = new HashSet<>();
        for (String kind : List.of("patient", "receivedPatient", "historyPatient")) {
            ids.get(kind).forEach(id -> patients.add(Long.parseLong(id)));
        }
        return patients;
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
