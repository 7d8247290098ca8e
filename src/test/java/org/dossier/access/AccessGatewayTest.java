package org.dossier.access;

import org.dossier.demo.DemoAccounts;
import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each rule of the gateway in both directions: the legitimate request works, the other is refused, and both are audited. */
class AccessGatewayTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    /** The last audit entry of an account about a patient: decision, reason code, sections. */
    private Map<String, Object> lastEntry(String username, long patientId) {
        return jdbc.sql("""
                        select decision, reason_code, coalesce(sections, '') as sections, action, purpose, coalesce(request_id, '') as request_id
                          from audit_entry where actor_username = ? and patient_id = ? order by seq desc limit 1""")
                .param(username).param(patientId).query().singleRow();
    }

    private long entries(String username, long patientId) {
        return jdbc.sql("select count(*) from audit_entry where actor_username = ? and patient_id = ?")
                .param(username).param(patientId).query(Long.class).single();
    }

    @Test
    void aClinicianOnTheCareTeamOpensTheChartAndTheEntrySaysWhy() {
        long patient = fixtures().patientInCare();
        Api.Response chart = as("physician").get("/api/patients/" + patient + "/chart");
        assertThat(chart.status()).as(chart.toString()).isEqualTo(200);
        assertThat(chart.json().get("accessReason").asString()).isEqualTo("CARE_TEAM");
        Map<String, Object> entry = lastEntry("physician", patient);
        assertThat(entry.get("decision")).isEqualTo("ALLOW");
        assertThat(entry.get("reason_code")).isEqualTo("CARE_TEAM");
        assertThat(entry.get("purpose")).isEqualTo("TREAT");
        assertThat((String) entry.get("sections")).contains("CLINICAL", "IDENTITY", "PRESCRIPTIONS");
        assertThat((String) entry.get("request_id")).isEqualTo(chart.header("X-Request-Id"));
    }

    @Test
    void aClinicianWithoutARelationshipIsRefusedAndTheRefusalIsAudited() {
        long patient = fixtures().patient();
        String stranger = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "GER"));
        Api api = as(stranger);
        for (String path : List.of("/chart", "", "/notes", "/allergies", "/prescriptions", "/stays")) {
            Api.Response r = api.get("/api/patients/" + patient + path);
            assertThat(r.status()).as(path + " " + r).isEqualTo(403);
        }
        Api.Response refused = api.get("/api/patients/" + patient + "/chart");
        assertThat(refused.json().get("detail").asString()).contains("break the glass");
        assertThat(lastEntry(stranger, patient)).containsEntry("decision", "DENY").containsEntry("reason_code", "NO_RELATIONSHIP");
        assertThat(api.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b")).status())
                .as("nor write to it").isEqualTo(403);
        assertThat(count("clinical_note where patient_id = " + patient)).isZero();
    }

    @Test
    void anotherFacilitysPatientDoesNotExistForTheCallerAndTheAttemptIsAudited() {
        long patient = fixtures().patientInCare();
        Api.Response r = as("physician.sud").get("/api/patients/" + patient + "/chart");
        assertThat(r.status()).isEqualTo(404);
        assertThat(lastEntry("physician.sud", patient)).containsEntry("decision", "DENY").containsEntry("reason_code", "OTHER_FACILITY");
        assertThat(as("physician").get("/api/patients/" + patient).status()).isEqualTo(200);
    }

    @Test
    void rolesDecideTheSections() {
        long patient = fixtures().patientInCare();
        as("physician").post("/api/patients/" + patient + "/allergies", Map.of("substance", "Pénicilline", "severity", "SEVERE"));

        JsonNode desk = as("frontdesk").get("/api/patients/" + patient + "/chart").json();
        assertThat(desk.get("accessReason").asString()).isEqualTo("FRONT_DESK");
        assertThat(desk.get("allergies").isNull()).isTrue();
        assertThat(lastEntry("frontdesk", patient).get("sections")).isEqualTo("IDENTITY,COVERAGE,SCHEDULING,ENCOUNTERS");
        assertThat(as("frontdesk").get("/api/patients/" + patient + "/allergies").status()).isEqualTo(403);
        assertThat(lastEntry("frontdesk", patient)).containsEntry("decision", "DENY").containsEntry("reason_code", "ROLE");

        assertThat(as("billing").get("/api/patients/" + patient + "/notes").status()).isEqualTo(403);
        assertThat(as("billing").get("/api/patients/" + patient + "/invoices").status()).isEqualTo(200);
        assertThat(lastEntry("billing", patient)).containsEntry("reason_code", "BILLING_OFFICE").containsEntry("purpose", "HPAYMT");

        for (String user : List.of("admin", "security")) {
            assertThat(as(user).get("/api/patients/" + patient).status()).as(user).isEqualTo(403);
            assertThat(as(user).get("/api/patients/" + patient + "/chart").status()).as(user).isEqualTo(403);
            assertThat(lastEntry(user, patient)).containsEntry("decision", "DENY").containsEntry("reason_code", "ROLE");
        }

        Api.Response covered = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, PatientJson.valid("Couvert", "Claire")));
        assertThat(covered.status()).as(covered.toString()).isEqualTo(201);
        patient = covered.json().get("id").asLong();
        fixtures().careFor(patient, "nurse");
        JsonNode forNurse = as("nurse").get("/api/patients/" + patient).json();
        assertThat(forNurse.at("/data/birthFamilyName").isMissingNode()).isFalse();
        assertThat(forNurse.at("/data/coverage").isNull() || forNurse.at("/data/coverage").isMissingNode())
                .as("a nurse does not see the coverage (NIR)").isTrue();
        assertThat(as("frontdesk").get("/api/patients/" + patient).json().at("/data/coverage").isObject()).isTrue();
    }

    @Test
    void everyPatientASearchReturnsIsOneAuditEntry() {
        Fixtures f = fixtures();
        f.patient();
        f.patient();
        long before = count("audit_entry where actor_username = 'frontdesk' and action = 'search'");
        JsonNode page = as("frontdesk").get("/api/patients?name=Fixture&given=Test").json();
        int results = page.get("results").size();
        assertThat(results).isBetween(2, 20);
        long after = count("audit_entry where actor_username = 'frontdesk' and action = 'search'");
        assertThat(after - before).isEqualTo(results);
        assertThat(as("admin").get("/api/patients?name=Fixture&given=Test").status()).isEqualTo(403);
    }

    @Test
    void aUnitCensusIsTheCliniciansOwnUnitAndEachPatientListedIsAudited() {
        Fixtures f = fixtures();
        long patient = f.patient();
        int cardio = f.unit(1, "CARDIO");
        assertThat(as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", cardio, "attendingId", f.staffId("physician"),
                "reason", "chest pain")).status()).isEqualTo(201);
        Api.Response census = as("nurse").get("/api/inpatients?unitId=" + cardio);
        assertThat(census.status()).as(census.toString()).isEqualTo(200);
        assertThat(census.json().valueStream().anyMatch(i -> i.get("patientId").asLong() == patient)).isTrue();
        assertThat(lastEntry("nurse", patient)).containsEntry("action", "list").containsEntry("reason_code", "CURRENT_STAY_IN_UNIT");
        assertThat(as("nurse").get("/api/inpatients?unitId=" + f.unit(1, "PNEUMO")).status()).as("another unit").isEqualTo(403);
        assertThat(as("nurse").get("/api/patients/" + patient + "/chart").json().get("accessReason").asString())
                .isEqualTo("CURRENT_STAY_IN_UNIT");
    }

    @Test
    void breakingTheGlassNeedsAReasonAFreshSecondFactorIsBoundedAndReviewed() {
        long patient = fixtures().patient();
        String doctor = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "URG"));
        Api api = as(doctor);
        assertThat(api.get("/api/patients/" + patient + "/chart").json().get("status").asInt()).isEqualTo(403);

        Map<String, Object> request = Map.of("reason", "EMERGENCY_CARE", "justification", "unconscious patient brought to the ER");
        assertThat(api.post("/api/patients/" + patient + "/break-glass", Map.of("reason", "EMERGENCY_CARE")).status()).isEqualTo(422);
        String stale = Api.fetchToken(port, doctor, DemoAccounts.PASSWORD);
        jdbc.sql("update api_token set issued_at = now() - interval '10 minutes' where token_hash = encode(sha256(convert_to(?, 'UTF8')), 'hex')")
                .param(stale).update();
        heardByTheServer();
        Api.Response noStepUp = anonymous().withBearer(stale).post("/api/patients/" + patient + "/break-glass", request);
        assertThat(noStepUp.status()).isEqualTo(403);
        assertThat(noStepUp.json().get("type").asString()).endsWith("step-up-required");
        assertThat(lastEntry(doctor, patient)).containsEntry("decision", "DENY").containsEntry("reason_code", "STEP_UP_REQUIRED");

        Api.Response granted = api.post("/api/patients/" + patient + "/break-glass", request);
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        long grant = granted.json().get("id").asLong();
        Api.Response chart = api.get("/api/patients/" + patient + "/chart");
        assertThat(chart.status()).isEqualTo(200);
        assertThat(chart.json().get("accessReason").asString()).isEqualTo("BREAK_THE_GLASS");
        assertThat(lastEntry(doctor, patient)).containsEntry("reason_code", "BREAK_THE_GLASS").containsEntry("purpose", "ETREAT");

        JsonNode queue = as("security").get("/api/access/break-glass").json();
        JsonNode mine = queue.valueStream().filter(g -> g.get("id").asLong() == grant).findFirst().orElseThrow();
        assertThat(mine.get("uses").asLong()).isEqualTo(1);
        assertThat(mine.get("username").asString()).isEqualTo(doctor);
        assertThat(as("physician").get("/api/access/break-glass").status()).as("the queue is the security officer's").isEqualTo(403);
        assertThat(as("security").post("/api/access/break-glass/" + grant + "/review", Map.of("outcome", "NOT_JUSTIFIED")).status())
                .as("an unjustified use needs a comment").isEqualTo(422);
        assertThat(as("security").post("/api/access/break-glass/" + grant + "/review", Map.of("outcome", "JUSTIFIED",
                "comment", "ER admission confirmed")).status()).isEqualTo(200);
        assertThat(as("security").get("/api/access/break-glass").json().valueStream().noneMatch(g -> g.get("id").asLong() == grant)).isTrue();

        // At most three a day: two more patients are fine, the fourth is refused (and audited).
        assertThat(api.post("/api/patients/" + fixtures().patient() + "/break-glass", request).status()).isEqualTo(201);
        assertThat(api.post("/api/patients/" + fixtures().patient() + "/break-glass", request).status()).isEqualTo(201);
        long fourth = fixtures().patient();
        Api.Response limited = api.post("/api/patients/" + fourth + "/break-glass", request);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(lastEntry(doctor, fourth)).containsEntry("decision", "DENY").containsEntry("reason_code", "BREAK_GLASS_LIMIT");
        assertThat(as("frontdesk").post("/api/patients/" + fourth + "/break-glass", request).status())
                .as("the front desk has no clinical access to break into").isEqualTo(403);
    }

    @Test
    void aRestrictedRecordOpensOnlyToThoseCaringForThePatientAndIsNotFoundByName() {
        Fixtures f = fixtures();
        long patient = f.patientInCare();
        String ipp = as("frontdesk").get("/api/patients/" + patient).json().get("ipp").asString();
        String family = as("frontdesk").get("/api/patients/" + patient).json().at("/data/birthFamilyName").asString();
        // A referral to the ER unit is a relationship, but a weak one.
        String referred = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, f.unit(1, "PNEUMO"));
        assertThat(as("physician").post("/api/referrals", Map.of("patientId", patient, "toStaffId", f.staffId(referred),
                "reason", "opinion")).status()).isEqualTo(201);
        assertThat(as(referred).get("/api/patients/" + patient + "/chart").status()).isEqualTo(200);

        Map<String, Object> restriction = Map.of("kind", "REQUESTED", "reason", "the patient asked at admission");
        assertThat(as("physician").put("/api/patients/" + patient + "/restriction", restriction).status()).isEqualTo(403);
        Api.Response restricted = as("security").put("/api/patients/" + patient + "/restriction", restriction);
        assertThat(restricted.status()).as(restricted.toString()).isEqualTo(201);

        Api.Response weak = as(referred).get("/api/patients/" + patient + "/chart");
        assertThat(weak.status()).isEqualTo(403);
        assertThat(weak.json().get("detail").asString()).contains("restricted");
        assertThat(lastEntry(referred, patient)).containsEntry("reason_code", "RESTRICTED");
        assertThat(as("physician").get("/api/patients/" + patient + "/chart").status()).as("the care team still opens it").isEqualTo(200);

        JsonNode byName = as("frontdesk").get("/api/patients?name=" + family + "&given=Test").json();
        assertThat(byName.get("results").valueStream().noneMatch(r -> r.get("id").asLong() == patient)).isTrue();
        JsonNode byIpp = as("frontdesk").get("/api/patients?ipp=" + ipp).json();
        assertThat(byIpp.get("results").valueStream().anyMatch(r -> r.get("id").asLong() == patient)).isTrue();

        assertThat(as("security").delete("/api/patients/" + patient + "/restriction", Map.of("reason", "patient request withdrawn")).status())
                .isEqualTo(204);
        assertThat(as(referred).get("/api/patients/" + patient + "/chart").status()).isEqualTo(200);
    }

    @Test
    void aColleagueWhoIsAPatientNeverOpensTheirOwnRecord() {
        Fixtures f = fixtures();
        long patient = f.patient();
        String colleague = Accounts.newStaff(as("admin"), credentials, "NURSE", 1, f.unit(1, "CARDIO"));
        f.careFor(patient, colleague);
        assertThat(as(colleague).get("/api/patients/" + patient + "/chart").status()).isEqualTo(200);
        assertThat(as("security").put("/api/patients/" + patient + "/restriction", Map.of("kind", "STAFF",
                "staffId", f.staffId(colleague), "reason", "our nurse, admitted")).status()).isEqualTo(201);
        Api.Response self = as(colleague).get("/api/patients/" + patient + "/chart");
        assertThat(self.status()).isEqualTo(403);
        assertThat(lastEntry(colleague, patient)).containsEntry("reason_code", "SELF_RECORD");
    }

    @Test
    void thePatientsOwnAccessReportSaysWhenWhyAndWhatButNotWho() {
        long patient = fixtures().patientInCare();
        as("physician").get("/api/patients/" + patient + "/chart");
        Api.Response report = as("frontdesk").get("/api/patients/" + patient + "/access-report");
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.body()).contains("TREAT").contains("PHYSICIAN").doesNotContain("\"physician\"").doesNotContain("Martin");
        assertThat(as("physician.sud").get("/api/patients/" + patient + "/access-report").status()).isEqualTo(404);
        assertThat(entries("physician", patient)).isPositive();
    }
}
