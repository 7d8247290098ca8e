package org.dossier.portal;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Request a correction" over real HTTP (ADR 0040): the patient files it from the record page, audited as the patient's
 * change; the front desk of the patient's facility sees it in its queue and answers it; the patient reads the answer. No
 * other patient sees it, and no other role or facility answers it.
 */
class PortalCorrectionTest extends IntegrationTest {

    @Autowired
    @Qualifier("owner")
    DataSource owner;

    private String issueCode(long patientId) {
        Api.Response r = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("code").asString();
    }

    private PortalSession enrolled(long patientId) {
        String birth = identity(patientId).birthDate().toString();
        return PortalSession.enrolled(port, issueCode(patientId), birth, PortalTest.username(), PortalTest.PASSWORD);
    }

    private long request(PortalSession patient, long patientId, String message) {
        patient.page("/portal/record");
        Api.Response sent = patient.form("/portal/record/correction", Map.of("about", "CONTACTS", "message", message));
        assertThat(sent.header("Location")).contains("/portal/record");
        return jdbc.sql("select max(id) from portal_correction where patient_id = ?").param(patientId).query(Long.class).single();
    }

    @Test
    void thePatientAsksTheDeskAnswersAndThePatientReadsTheAnswer() {
        long p = fixtures().patient();
        PortalSession patient = enrolled(p);
        long id = request(patient, p, "My phone number is now 06 12 34 56 78");
        assertThat(jdbc.sql("select count(*) from audit_entry where resource_type = 'PortalCorrection' and resource_id = ? and action = 'create' and actor_roles = 'PATIENT'")
                .param(Long.toString(id)).query(Long.class).single()).as("filed as the patient's change").isEqualTo(1);
        assertThat(patient.page("/portal/record").body()).contains("id=\"correction-" + id + "\"").contains("06 12 34 56 78").contains("Waiting");

        BrowserSession desk = BrowserSession.signedIn(port, "frontdesk");
        assertThat(desk.page("/patients/portal-corrections").body()).contains("id=\"waiting-" + id + "\"").doesNotContain("06 12 34 56 78");
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and action = 'oversee' and resource_type = 'PortalCorrection'")
                .param(p).query(Long.class).single()).as("the queue names the record in the trail").isPositive();
        assertThat(desk.page("/patients/" + p + "/portal").body()).contains("06 12 34 56 78");
        Api.Response answered = desk.pageForm("/patients/" + p + "/portal/corrections/" + id,
                Map.of("status", "DONE", "answer", "Your new number is on your record"), true);
        assertThat(answered.status()).isEqualTo(302);
        assertThat(jdbc.sql("select count(*) from audit_entry where resource_type = 'PortalCorrection' and resource_id = ? and action = 'status' and actor_username = 'frontdesk'")
                .param(Long.toString(id)).query(Long.class).single()).isEqualTo(1);
        assertThat(patient.page("/portal/record").body()).contains("Corrected").contains("Your new number is on your record");
        assertThat(desk.page("/patients/portal-corrections").body()).doesNotContain("id=\"waiting-" + id + "\"");

        // At rest, the patient's message and the desk's answer are sealed with the patient's key (V67, ADR 0053).
        assertThat(copyOut("select * from portal_correction where id = " + id)).isNotEmpty().doesNotContain("06 12 34 56 78")
                .doesNotContain("Your new number");
        Api.Response asked = as("security").post("/api/patients/" + p + "/erasure", Map.of("ground", "PATIENT_REQUEST"));
        assertThat(as("admin").post("/api/access/erasures/" + asked.json().get("id").asLong() + "/confirm", Map.of()).status())
                .isEqualTo(200);
        Api.Response erased = desk.page("/patients/" + p + "/portal");
        assertThat(erased.status()).as("a shredded patient's corrections read as erased").isEqualTo(200);
        assertThat(erased.body()).doesNotContain("06 12 34 56 78");
    }

    /** What a dump holds of the rows the query selects: COPY as the tables' owner. */
    private String copyOut(String query) {
        return org.dossier.support.OwnerCopy.of(owner, query);
    }

    @Test
    void anEmptyRequestIsRefusedReadablyAndAnotherPatientNeverSeesIt() {
        long p = fixtures().patient();
        long other = fixtures().patient();
        PortalSession patient = enrolled(p);
        patient.page("/portal/record");
        Api.Response empty = patient.form("/portal/record/correction", Map.of("about", "IDENTITY", "message", "  "));
        assertThat(empty.header("Location")).contains("/portal/record");
        assertThat(patient.page("/portal/record").body()).contains("say what is wrong");
        Api.Response noAbout = patient.form("/portal/record/correction", Map.of("about", "NOSUCH", "message", "x"));
        assertThat(noAbout.status()).as("a bad value is a 4xx, not a 500").isBetween(300, 499);
        assertThat(count("portal_correction where patient_id = " + p)).isZero();

        long id = request(patient, p, "My birth name is Dupont, not Dupond");
        PortalSession otherPatient = enrolled(other);
        assertThat(otherPatient.page("/portal/record").body()).doesNotContain("Dupont, not Dupond").doesNotContain("correction-" + id);
    }

    @Test
    void onlyTheDeskOfThePatientsFacilityAnswersAndTheRefusalsAreAudited() {
        long p = fixtures().patient();
        long other = fixtures().patient();
        long id = request(enrolled(p), p, "My address is 3 rue des Lilas");
        Map<String, String> done = Map.of("status", "DONE", "answer", "done");

        assertThat(BrowserSession.signedIn(port, "nurse").pageForm("/patients/" + p + "/portal/corrections/" + id, done, true).status())
                .as("another role").isEqualTo(403);
        assertThat(BrowserSession.signedIn(port, "physician.sud").pageForm("/patients/" + p + "/portal/corrections/" + id, done, true).status())
                .as("another facility").isEqualTo(404);
        assertThat(as("nurse").get("/patients/portal-corrections").status()).as("the desk's queue only").isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and resource_type = 'PortalCorrection' and decision = 'DENY'")
                .param(p).query(Long.class).single()).isEqualTo(2);
        // The desk answering it under another patient's record changes nothing.
        BrowserSession desk = BrowserSession.signedIn(port, "frontdesk");
        assertThat(desk.pageForm("/patients/" + other + "/portal/corrections/" + id, done, true).status()).isEqualTo(404);
        assertThat(jdbc.sql("select status from portal_correction where id = ?").param(id).query(String.class).single()).isEqualTo("OPEN");
        // Answered once; a second answer is refused readably.
        assertThat(desk.pageForm("/patients/" + p + "/portal/corrections/" + id, Map.of("status", "DECLINED", "answer", "no such street"), true)
                .status()).isEqualTo(302);
        desk.page("/patients/" + p + "/portal");
        desk.pageForm("/patients/" + p + "/portal/corrections/" + id, done, true);
        assertThat(desk.page("/patients/" + p + "/portal").body()).contains("already answered");
        assertThat(jdbc.sql("select status from portal_correction where id = ?").param(id).query(String.class).single()).isEqualTo("DECLINED");
    }
}
