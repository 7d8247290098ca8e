package org.dossier.access;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls every endpoint that names a patient or one of a patient's records, as a physician of the same facility with
 * no relationship to the patient and as a physician of another facility, and expects 403 or 404 every time, each
 * refusal in the audit trail. The endpoints come from the running server's own mappings, so a new endpoint is swept
 * the day it is added, and a forgotten check fails the build.
 */
class EndpointSweepTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    /** Path prefixes whose variable is a record id, and the kind of record it names. */
    private static final Map<String, String> RECORD_PATHS = Map.ofEntries(
            Map.entry("/api/patients/", "patient"), Map.entry("/api/notes/", "note"), Map.entry("/api/allergies/", "allergy"),
            Map.entry("/api/problems/", "problem"), Map.entry("/api/observations/", "observation"),
            Map.entry("/api/documents/", "document"), Map.entry("/api/prescriptions/", "prescription"),
            Map.entry("/api/stays/", "stay"), Map.entry("/api/appointments/", "appointment"), Map.entry("/api/invoices/", "invoice"),
            Map.entry("/api/claims/", "claim"), Map.entry("/api/care-team/", "careTeamMember"), Map.entry("/api/referrals/", "referral"),
            Map.entry("/api/patient-merges/", "merge"));

    /** Endpoints that carry the patient in their body. */
    private static final Set<String> BODY_PATIENT = Set.of("POST /api/stays", "POST /api/appointments", "POST /api/invoices",
            "POST /api/referrals");

    /** Deliberately not swept, each with the test that covers it. */
    private static final Set<String> NOT_SWEPT = Set.of(
            // the emergency path itself: an unrelated clinician may break the glass (AccessGatewayTest)
            "POST /api/patients/{patientId}/break-glass",
            // answers "related or not" only; another facility's patient is 404 (CareRelationshipsTest, below)
            "GET /api/patients/{id}/my-relationship");

    @Test
    void everyPatientEndpointRefusesAnUnrelatedClinicianAndAnotherFacilitysClinician() {
        Map<String, Long> ids = recordsOfOnePatient();
        String unrelated = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "PNEUMO"));
        List<String> swept = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        for (var entry : mappings.getHandlerMethods().entrySet()) {
            Set<String> patterns = entry.getKey().getPatternValues();
            Set<RequestMethod> methods = entry.getKey().getMethodsCondition().getMethods();
            for (String pattern : patterns) {
                for (RequestMethod method : methods) {
                    String key = method + " " + pattern;
                    if (NOT_SWEPT.contains(key)) {
                        continue;
                    }
                    String path = concrete(pattern, ids);
                    if (path == null && !BODY_PATIENT.contains(key)) {
                        continue;
                    }
                    swept.add(key);
                    for (String user : List.of(unrelated, "physician.sud")) {
                        Api.Response r = call(as(user), method, path == null ? pattern : path, ids);
                        if (r.status() != 403 && r.status() != 404) {
                            leaks.add(key + " as " + user + " → " + r.status() + " " + abbreviate(r.body()));
                        } else if (!refusalAudited(r.header("X-Request-Id"))) {
                            leaks.add(key + " as " + user + " → " + r.status() + " but no DENY entry in the audit trail");
                        }
                    }
                }
            }
        }
        assertThat(swept).as("the sweep found the patient endpoints").hasSizeGreaterThan(60);
        assertThat(leaks).isEmpty();
        assertThat(as("physician.sud").get("/api/patients/" + ids.get("patient") + "/my-relationship").status()).isEqualTo(404);
        assertThat(as("physician").get("/api/patients/" + ids.get("patient") + "/chart").status())
                .as("and the patient's own clinicians still open it").isEqualTo(200);
    }

    private boolean refusalAudited(String requestId) {
        return requestId != null && jdbc.sql("select count(*) from audit_entry where request_id = ? and decision = 'DENY'")
                .param(requestId).query(Long.class).single() > 0;
    }

    private static String concrete(String pattern, Map<String, Long> ids) {
        for (var prefix : RECORD_PATHS.entrySet()) {
            if (pattern.startsWith(prefix.getKey() + "{")) {
                Matcher m = Pattern.compile("\\{[^}]+}").matcher(pattern);
                // A second variable (a guardian's link of the patient) names a record of that patient: any id does, the
                // gateway refuses on the patient first.
                return m.replaceFirst(String.valueOf(ids.get(prefix.getValue()))).replaceAll("\\{[^}]+}", "1");
            }
        }
        return null;
    }

    private static Api.Response call(Api api, RequestMethod method, String path, Map<String, Long> ids) {
        Map<String, Object> body = new HashMap<>();
        body.put("patientId", ids.get("patient"));
        body.put("version", 1);
        body.put("reason", "sweep");
        body.put("stayId", ids.get("stay"));
        body.put("unitId", ids.get("unit"));
        body.put("practitionerId", ids.get("practitioner"));
        body.put("startAt", Instant.now().plus(9, ChronoUnit.DAYS).toString());
        body.put("toUnitId", ids.get("unit"));
        body.put("mergedId", ids.get("otherPatient"));
        body.put("allergy", Map.of("substance", "Latex", "severity", "MILD"));
        body.put("problem", Map.of("icd10Code", "I50", "label", "heart failure"));
        body.put("title", "t");
        body.put("body", "b");
        if (path.endsWith("/documents") && method == RequestMethod.POST) {
            String multipart = "--sweep\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nscan\r\n"
                    + "--sweep\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
                    + "Content-Type: application/pdf\r\n\r\n%PDF-1.4 sweep\r\n--sweep--\r\n";
            return api.postRaw(path + "?kind=REPORT", "multipart/form-data; boundary=sweep", multipart);
        }
        return switch (method) {
            case GET -> api.get(path);
            case DELETE -> api.delete(path, Map.of("reason", "sweep"));
            case PUT -> api.put(path, body);
            default -> api.post(path, body);
        };
    }

    /**
     * A patient of facility 1 with one record of every kind, made by the people who care for them (the exposure sweep's
     * fixture), and a merge of two other patients.
     */
    private Map<String, Long> recordsOfOnePatient() {
        Fixtures f = fixtures();
        Map<String, Long> ids = new LinkedHashMap<>();
        SweepRecords.records(this::as, f, jdbc, "Balayage", "Bruno").forEach((kind, values) -> {
            if (values.get(0).matches("\\d+")) {
                ids.put(kind, Long.parseLong(values.get(0)));
            }
        });
        long duplicate = f.patient();
        long survivor = f.patient();
        f.careFor(survivor, "physician");
        Api.Response merge = as("frontdesk").post("/api/patients/" + survivor + "/merge", Map.of("mergedId", duplicate, "reason", "same person"));
        ids.put("merge", created(merge));
        ids.put("otherPatient", duplicate);
        return ids;
    }

    private static long created(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json().get("id").asLong();
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 160 ? body.substring(0, 160) + "…" : body;
    }
}
