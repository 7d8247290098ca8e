package org.dossier.audit;

import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every change to a patient's clinical, prescribing and care records, over REST and FHIR, is audited as the change it
 * is (create, update, amend, sign, status, entered-in-error) with the record's versions, never as a read; and every
 * FHIR read of a record that does not exist writes exactly one DENY entry. The REST change endpoints come from the
 * running server's mappings: a new one fails this test until it is swept here.
 */
class ChangeAuditSweepTest extends IntegrationTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    /** Modules whose controllers change patient records, swept here. */
    private static final List<String> MODULES = List.of("org.dossier.clinical", "org.dossier.prescribing", "org.dossier.care");

    /** Change endpoints of those modules that change no patient's record. */
    private static final Set<String> NOT_PATIENT_DATA = Set.of("POST /api/practitioners/{id}/schedules");

    private static final byte[] PDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** What one change is expected to be audited as. */
    private record Expected(String action, String resourceType, String detail) {
    }

    private record Case(Supplier<Api.Response> call, Expected expected) {
    }

    @Test
    void everyRestChangeIsAuditedAsTheChangeItIsWithItsVersions() {
        Fixtures f = fixtures();
        Api doc = as("physician");
        long patient = f.patientInCare();
        int cardio = f.unit(1, "CARDIO");
        long physician = f.staffId("physician");

        long note = created(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b")));
        long noteToSign = created(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b")));
        long noteToDiscard = created(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b")));
        long signed = created(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b")));
        assertThat(doc.post("/api/notes/" + signed + "/sign", Map.of("version", 1)).status()).isEqualTo(200);
        long allergy = created(doc.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Latex", "severity", "MILD")));
        long problem = created(doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I50", "label", "heart failure")));
        long observation = created(doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 80)));
        long document = created(doc.upload("/api/patients/" + patient + "/documents?kind=REPORT", "scan", "a.pdf", "application/pdf",
                PDF));
        Map<String, Object> order = Map.of("drug", "Furosémide", "dose", "40 mg", "route", "ORAL", "frequency", "daily");
        long toRenew = created(doc.post("/api/patients/" + patient + "/prescriptions", order));
        long toStop = created(doc.post("/api/patients/" + patient + "/prescriptions", order));
        long toComplete = created(doc.post("/api/patients/" + patient + "/prescriptions", order));
        long inError = created(doc.post("/api/patients/" + patient + "/prescriptions", order));
        Map<String, Object> admission = Map.of("patientId", patient, "unitId", cardio, "attendingId", physician,
                "admittedAt", Instant.now().minus(2, ChronoUnit.DAYS).toString(), "reason", "dyspnoea");
        long stay = created(doc.post("/api/stays", admission));
        long member = created(doc.post("/api/patients/" + patient + "/care-team", Map.of("staffId", f.staffId("er.physician"), "role", "opinion")));
        long toComplete2 = created(doc.post("/api/referrals", Map.of("patientId", patient, "toStaffId", f.staffId("er.physician"), "reason", "a")));
        long toCancel = created(doc.post("/api/referrals", Map.of("patientId", patient, "toStaffId", f.staffId("er.physician"), "reason", "b")));

        ZoneId paris = ZoneId.of("Europe/Paris");
        LocalDate monday = LocalDate.now(paris).with(TemporalAdjusters.next(DayOfWeek.MONDAY));
        long practitioner = f.physician("CONSULT");
        as("frontdesk").post("/api/practitioners/" + practitioner + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"), "weekday", "MONDAY",
                "startTime", "08:00", "endTime", "12:00", "slotMinutes", 30));
        List<Long> appointments = new ArrayList<>();
        for (int slot = 0; slot < 4; slot++) {
            appointments.add(created(doc.post("/api/appointments", Map.of("patientId", patient, "practitionerId", practitioner,
                    "startAt", monday.atTime(LocalTime.of(8, 0).plusMinutes(30L * slot)).atZone(paris).toInstant().toString(), "reason", "follow-up"))));
        }
        // A no-show is recorded once the appointment has begun.
        jdbc.sql("update appointment set start_at = start_at - interval '14 days', end_at = end_at - interval '14 days' where id = ?")
                .param(appointments.get(2)).update();
        String nextSlot = monday.atTime(LocalTime.of(10, 0)).atZone(paris).toInstant().toString();

        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("POST /api/patients/{id}/notes", new Case(() -> doc.post("/api/patients/" + patient + "/notes",
                Map.of("kind", "PROGRESS", "title", "t", "body", "b")), new Expected("create", "Note", "version 1")));
        cases.put("PUT /api/notes/{id}", new Case(() -> doc.put("/api/notes/" + note, Map.of("version", 1, "title", "t2", "body", "b2")),
                new Expected("update", "Note", "version 1 -> 2")));
        cases.put("POST /api/notes/{id}/sign", new Case(() -> doc.post("/api/notes/" + noteToSign + "/sign", Map.of("version", 1)),
                new Expected("sign", "Note", "version 1 -> 2")));
        cases.put("POST /api/notes/{id}/amendments", new Case(() -> doc.post("/api/notes/" + signed + "/amendments",
                Map.of("title", "t", "body", "corrected", "reason", "typo")), new Expected("amend", "Note", "version 2")));
        cases.put("POST /api/notes/{id}/discard", new Case(() -> doc.post("/api/notes/" + noteToDiscard + "/discard",
                Map.of("version", 1, "reason", "wrong patient")), new Expected("entered-in-error", "Note", "version 1 -> 2")));
        cases.put("POST /api/patients/{id}/allergies", new Case(() -> doc.post("/api/patients/" + patient + "/allergies",
                Map.of("substance", "Iode", "severity", "MILD")), new Expected("create", "Allergy", "version 1")));
        cases.put("PUT /api/allergies/{id}", new Case(() -> doc.put("/api/allergies/" + allergy, Map.of("version", 1, "reason", "worse",
                "allergy", Map.of("substance", "Latex", "severity", "SEVERE"))), new Expected("update", "Allergy", "version 1 -> 2")));
        cases.put("POST /api/patients/{id}/problems", new Case(() -> doc.post("/api/patients/" + patient + "/problems",
                Map.of("icd10Code", "I10", "label", "hypertension")), new Expected("create", "Problem", "version 1")));
        cases.put("PUT /api/problems/{id}", new Case(() -> doc.put("/api/problems/" + problem, Map.of("version", 1, "reason", "controlled",
                "problem", Map.of("icd10Code", "I50", "label", "heart failure", "status", "RESOLVED"))), new Expected("update", "Problem", "version 1 -> 2")));
        cases.put("POST /api/patients/{id}/observations", new Case(() -> doc.post("/api/patients/" + patient + "/observations",
                Map.of("kind", "HEART_RATE", "value", 72)), new Expected("create", "Observation", "version 1")));
        // Released to the patient before it is marked in error below (ADR 0044): a status change of the record, no new version.
        cases.put("POST /api/observations/{id}/release", new Case(() -> doc.post("/api/observations/" + observation + "/release", Map.of()),
                new Expected("status", "Observation", "released to the patient")));
        cases.put("POST /api/observations/{id}/entered-in-error", new Case(() -> doc.post("/api/observations/" + observation
                + "/entered-in-error", Map.of("version", 1, "reason", "wrong patient")), new Expected("entered-in-error", "Observation", "version 1 -> 2")));
        cases.put("POST /api/patients/{id}/documents", new Case(() -> doc.upload("/api/patients/" + patient + "/documents?kind=REPORT", "scan 2",
                "b.pdf", "application/pdf", PDF), new Expected("create", "Document", "version 1")));
        cases.put("POST /api/documents/{id}/release", new Case(() -> doc.post("/api/documents/" + document + "/release", Map.of()),
                new Expected("status", "Document", "released to the patient")));
        cases.put("POST /api/documents/{id}/entered-in-error", new Case(() -> doc.post("/api/documents/" + document + "/entered-in-error",
                Map.of("version", 1, "reason", "wrong patient")), new Expected("entered-in-error", "Document", "version 1 -> 2")));
        cases.put("POST /api/patients/{id}/prescriptions", new Case(() -> doc.post("/api/patients/" + patient + "/prescriptions", order),
                new Expected("create", "MedicationOrder", "version 1")));
        cases.put("POST /api/prescriptions/{id}/renew", new Case(() -> doc.post("/api/prescriptions/" + toRenew + "/renew",
                Map.of("version", 1, "durationDays", 10)), new Expected("status", "MedicationOrder", "version 1 -> 2, ACTIVE -> COMPLETED")));
        cases.put("POST /api/prescriptions/{id}/stop", new Case(() -> doc.post("/api/prescriptions/" + toStop + "/stop",
                Map.of("version", 1, "reason", "side effects")), new Expected("status", "MedicationOrder", "version 1 -> 2, ACTIVE -> STOPPED")));
        cases.put("POST /api/prescriptions/{id}/complete", new Case(() -> doc.post("/api/prescriptions/" + toComplete + "/complete",
                Map.of("version", 1)), new Expected("status", "MedicationOrder", "version 1 -> 2, ACTIVE -> COMPLETED")));
        cases.put("POST /api/prescriptions/{id}/entered-in-error", new Case(() -> doc.post("/api/prescriptions/" + inError
                + "/entered-in-error", Map.of("version", 1, "reason", "wrong drug")),
                new Expected("entered-in-error", "MedicationOrder", "version 1 -> 2, ACTIVE -> ENTERED_IN_ERROR")));
        cases.put("POST /api/stays", new Case(() -> doc.post("/api/stays", Map.of("patientId", f.patientInCare(), "unitId", cardio,
                "attendingId", physician, "reason", "again")), new Expected("create", "Stay", "version 1")));
        cases.put("POST /api/stays/{id}/transfer", new Case(() -> doc.post("/api/stays/" + stay + "/transfer",
                Map.of("version", 1, "unitId", cardio, "bed", "12B", "reason", "bed")), new Expected("update", "Stay", "version 1 -> 2")));
        cases.put("POST /api/stays/{id}/discharge", new Case(() -> doc.post("/api/stays/" + stay + "/discharge",
                Map.of("version", 2, "reason", "home")), new Expected("status", "Stay", "version 2 -> 3, ACTIVE -> DISCHARGED")));
        cases.put("POST /api/stays/{id}/cancel", new Case(() -> {
            long other = created(doc.post("/api/stays", Map.of("patientId", f.patientInCare(), "unitId", cardio, "attendingId", physician,
                    "admittedAt", Instant.now().minus(1, ChronoUnit.DAYS).toString(), "reason", "dyspnoea")));
            return doc.post("/api/stays/" + other + "/cancel", Map.of("version", 1, "reason", "wrong patient"));
        }, new Expected("entered-in-error", "Stay", "version 1 -> 2, ACTIVE -> CANCELLED")));
        cases.put("POST /api/appointments", new Case(() -> doc.post("/api/appointments", Map.of("patientId", patient,
                "practitionerId", practitioner, "startAt", nextSlot, "reason", "check")), new Expected("create", "Appointment", "version 1")));
        cases.put("POST /api/appointments/{id}/reschedule", new Case(() -> doc.post("/api/appointments/" + appointments.get(0) + "/reschedule",
                Map.of("version", 1, "startAt", monday.atTime(LocalTime.of(11, 0)).atZone(paris).toInstant().toString(), "reason", "asked")),
                new Expected("status", "Appointment", "version 1 -> 2, BOOKED -> RESCHEDULED")));
        cases.put("POST /api/appointments/{id}/cancel", new Case(() -> doc.post("/api/appointments/" + appointments.get(1) + "/cancel",
                Map.of("version", 1, "reason", "asked")), new Expected("status", "Appointment", "version 1 -> 2, BOOKED -> CANCELLED")));
        cases.put("POST /api/appointments/{id}/no-show", new Case(() -> doc.post("/api/appointments/" + appointments.get(2) + "/no-show",
                Map.of("version", 1)), new Expected("status", "Appointment", "version 1 -> 2, BOOKED -> NO_SHOW")));
        cases.put("POST /api/appointments/{id}/complete", new Case(() -> doc.post("/api/appointments/" + appointments.get(3) + "/complete",
                Map.of("version", 1)), new Expected("status", "Appointment", "version 1 -> 2, BOOKED -> COMPLETED")));
        cases.put("POST /api/patients/{id}/care-team", new Case(() -> doc.post("/api/patients/" + patient + "/care-team",
                Map.of("staffId", f.physician("PNEUMO"), "role", "x")), new Expected("create", "CareTeam", "version 1")));
        cases.put("POST /api/care-team/{memberId}/end", new Case(() -> doc.post("/api/care-team/" + member + "/end",
                Map.of("version", 1, "reason", "done")), new Expected("status", "CareTeam", "version 1 -> 2, ACTIVE -> ENDED")));
        cases.put("POST /api/referrals", new Case(() -> doc.post("/api/referrals", Map.of("patientId", patient, "toStaffId",
                f.staffId("er.physician"), "reason", "c")), new Expected("create", "Referral", "version 1")));
        cases.put("POST /api/referrals/{id}/complete", new Case(() -> doc.post("/api/referrals/" + toComplete2 + "/complete",
                Map.of("version", 1, "reason", "seen")), new Expected("status", "Referral", "version 1 -> 2, ACTIVE -> COMPLETED")));
        cases.put("POST /api/referrals/{id}/cancel", new Case(() -> doc.post("/api/referrals/" + toCancel + "/cancel",
                Map.of("version", 1, "reason", "not needed")), new Expected("status", "Referral", "version 1 -> 2, ACTIVE -> CANCELLED")));

        assertThat(cases.keySet()).as("every change endpoint of the clinical, prescribing and care modules is swept")
                .containsAll(changeEndpoints());
        List<String> wrong = new ArrayList<>();
        for (var c : cases.entrySet()) {
            Api.Response r = c.getValue().call().get();
            String failure = check(r, c.getValue().expected());
            if (failure != null) {
                wrong.add(c.getKey() + ": " + failure);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void fhirCreatesAndUpdatesAreAuditedAsTheChangesTheyAre() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        String subject = "{\"reference\":\"Patient/" + patient + "\"}";
        String allergy = "{\"resourceType\":\"AllergyIntolerance\",\"patient\":" + subject
                + ",\"code\":{\"text\":\"Iode\"},\"criticality\":\"high\"}";
        Api.Response created = fhir(doc, "POST", "/fhir/AllergyIntolerance", allergy, Map.of());
        List<String> wrong = new ArrayList<>();
        note(wrong, "create AllergyIntolerance", check(created, new Expected("create", "Allergy", "version 1")));
        String allergyId = idOf(created);
        String changed = allergy.replace("{\"resourceType\":\"AllergyIntolerance\",", "{\"resourceType\":\"AllergyIntolerance\",\"id\":\""
                + allergyId + "\",").replace("\"high\"", "\"low\"");
        note(wrong, "update AllergyIntolerance", check(fhir(doc, "PUT", "/fhir/AllergyIntolerance/" + allergyId, changed,
                Map.of("If-Match", "W/\"1\"", "X-Dossier-Change-Reason", "milder")), new Expected("update", "Allergy", "version 1 -> 2")));

        String condition = "{\"resourceType\":\"Condition\",\"subject\":" + subject + ",\"code\":{\"coding\":[{\"system\":"
                + "\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"E11.9\",\"display\":\"Type 2 diabetes\"}],\"text\":\"Diabète\"}}";
        Api.Response problem = fhir(doc, "POST", "/fhir/Condition", condition, Map.of());
        note(wrong, "create Condition", check(problem, new Expected("create", "Problem", "version 1")));
        String problemId = idOf(problem);
        note(wrong, "update Condition", check(fhir(doc, "PUT", "/fhir/Condition/" + problemId, condition.replace("{\"resourceType\":\"Condition\",",
                "{\"resourceType\":\"Condition\",\"id\":\"" + problemId + "\",").replace("Diabète", "Diabète de type 2"),
                Map.of("If-Match", "W/\"1\"", "X-Dossier-Change-Reason", "label")), new Expected("update", "Problem", "version 1 -> 2")));

        String pulse = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"subject\":" + subject + ",\"code\":{\"coding\":[{"
                + "\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":\"Heart rate\"}]},\"valueQuantity\":{\"value\":71,"
                + "\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
        note(wrong, "create Observation", check(fhir(doc, "POST", "/fhir/Observation", pulse, Map.of()),
                new Expected("create", "Observation", "version 1")));
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyFhirReadOfAMissingRecordWritesExactlyOneDenyEntry() {
        Api doc = as("physician");
        JsonNode metadata = doc.get("/fhir/metadata").json();
        List<String> types = new ArrayList<>();
        for (JsonNode resource : metadata.at("/rest/0/resource")) {
            boolean readable = false;
            for (JsonNode interaction : resource.get("interaction")) {
                readable |= "read".equals(interaction.get("code").asString());
            }
            // OperationDefinition is HAPI's description of the server's own operations, conformance like /fhir/metadata
            // itself: it names no record of anyone and is answered without an actor.
            if (readable && !"OperationDefinition".equals(resource.get("type").asString())) {
                types.add(resource.get("type").asString());
            }
        }
        assertThat(types).as("the readable resource types of the capability statement").contains("DocumentReference", "Patient",
                "AllergyIntolerance", "Condition", "Observation", "MedicationRequest", "Encounter", "Coverage");
        List<String> wrong = new ArrayList<>();
        for (String type : types) {
            Api.Response r = doc.get("/fhir/" + type + "/987654321");
            String requestId = r.header("X-Request-Id");
            long denied = requestId == null ? -1 : jdbc.sql("select count(*) from audit_entry where request_id = ? and decision = 'DENY'")
                    .param(requestId).query(Long.class).single();
            long all = requestId == null ? -1 : jdbc.sql("select count(*) from audit_entry where request_id = ?")
                    .param(requestId).query(Long.class).single();
            if (r.status() != 404 && r.status() != 403 || denied != 1 || all != 1) {
                wrong.add(type + " → " + r.status() + ", " + denied + " DENY of " + all + " entries (request " + requestId + ")");
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static void note(List<String> wrong, String what, String problem) {
        if (problem != null) {
            wrong.add(what + ": " + problem);
        }
    }

    private static Api.Response fhir(Api api, String method, String path, String body, Map<String, String> headers) {
        return "PUT".equals(method) ? api.putRaw(path, "application/fhir+json", body, headers)
                : api.postRaw(path, "application/fhir+json", body, headers);
    }

    private static String idOf(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("id").asString();
    }

    /** POST/PUT/DELETE mappings of the modules that change patient records. */
    private Set<String> changeEndpoints() {
        Set<String> found = new TreeSet<>();
        for (var entry : mappings.getHandlerMethods().entrySet()) {
            String module = entry.getValue().getBeanType().getPackageName();
            if (MODULES.stream().noneMatch(module::startsWith)) {
                continue;
            }
            for (String pattern : entry.getKey().getPatternValues()) {
                for (RequestMethod method : entry.getKey().getMethodsCondition().getMethods()) {
                    String key = method + " " + pattern;
                    if (method != RequestMethod.GET && pattern.startsWith("/api/") && !NOT_PATIENT_DATA.contains(key)) {
                        found.add(key);
                    }
                }
            }
        }
        assertThat(found).as("the sweep finds the change endpoints").hasSizeGreaterThan(25);
        return found;
    }

    /** Null when the request's entries name the change as expected and no entry of the request calls it a read. */
    private String check(Api.Response r, Expected expected) {
        if (r.status() >= 300) {
            return "answered " + r.status() + " " + r.body();
        }
        String requestId = r.header("X-Request-Id");
        if (requestId == null) {
            return "no X-Request-Id";
        }
        List<Map<String, Object>> entries = jdbc.sql("select action, resource_type, resource_id, decision, detail from audit_entry "
                + "where request_id = ? order by seq").param(requestId).query().listOfRows();
        boolean named = entries.stream().anyMatch(e -> expected.action().equals(e.get("action"))
                && expected.resourceType().equals(e.get("resource_type")) && "ALLOW".equals(e.get("decision"))
                && e.get("detail") != null && e.get("detail").toString().contains(expected.detail()));
        boolean readInstead = entries.stream().anyMatch(e -> "read".equals(e.get("action"))
                && expected.resourceType().equals(e.get("resource_type")) && e.get("resource_id") != null);
        if (!named || readInstead) {
            return "expected " + expected + ", the trail has " + entries;
        }
        return null;
    }

    private static long created(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        JsonNode json = r.json();
        return json.get("id").asLong();
    }
}
