package org.dossier.portal;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hospital's portal policy per facility (ADR 0044), over real HTTP: an administrator sets it (audited), a clinician
 * cannot (refused, audited); break-the-glass accesses appear as a notice on the patient's home unless it is off; staff
 * names appear in "Who opened my record" (screen and CSV) only when it is on; the system's case shows the patient no
 * staff account number.
 */
class PortalSettingsTest extends IntegrationTest {

    @Autowired
    org.dossier.identity.CredentialService credentials;

    @AfterEach
    void backToTheDefaults() {
        jdbc.sql("delete from portal_setting").update();
    }

    private PortalSession enrolled(long patientId) {
        return PortalSession.enrolled(port, code(patientId), birthDate(patientId), PortalTest.username(), PortalTest.PASSWORD);
    }

    private String code(long patientId) {
        return as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of()).json().get("code").asString();
    }

    private String birthDate(long patientId) {
        return identity(patientId).birthDate().toString();
    }

    private Api.Response set(BrowserSession who, boolean breakGlassNotice, boolean staffNames) {
        return who.pageForm("/admin/portal-settings/1", Map.of("breakGlassNotice", Boolean.toString(breakGlassNotice),
                "staffNames", Boolean.toString(staffNames), "deskCodes", "true"), true);
    }

    private String breakTheGlass(long patientId) {
        String doctor = org.dossier.support.Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "URG"));
        Api.Response granted = as(doctor).post("/api/patients/" + patientId + "/break-glass",
                Map.of("reason", "EMERGENCY_CARE", "justification", "unconscious patient brought in by the fire brigade"));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(as(doctor).get("/api/patients/" + patientId + "/chart").status()).isEqualTo(200);
        return doctor;
    }

    @Test
    void aBreakTheGlassAccessIsANoticeOnThePatientsHomeUnlessTheHospitalTurnedItOff() {
        long p = fixtures().patient();
        PortalSession patient = enrolled(p);
        assertThat(patient.page("/portal/record").body()).as("none yet").doesNotContain("id=\"break-glass-notices\"");
        breakTheGlass(p);
        String home = patient.page("/portal/record").body();
        assertThat(home).contains("id=\"break-glass-notices\"").contains("emergency care").contains("PHYSICIAN")
                .contains(jdbc.sql("select name from care_unit where facility_id = 1 and code = 'URG'").query(String.class).single())
                .doesNotContain("fire brigade");

        BrowserSession admin = BrowserSession.signedIn(port, "admin");
        assertThat(admin.page("/admin/portal-settings").body()).contains("id=\"portal-settings-1\"");
        Api.Response off = set(admin, false, false);
        assertThat(off.status()).as(off.toString()).isEqualTo(302);
        assertThat(patient.page("/portal/record").body()).doesNotContain("id=\"break-glass-notices\"");
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where resource_type = 'PortalSetting' and resource_id = '1' and action = 'update'
                           and detail like '%break-the-glass notice true -> false%'""").query(Long.class).single())
                .as("the change is written to the trail").isEqualTo(1);
    }

    @Test
    void staffNamesAreShownOnlyWhenTheHospitalSaysSoOnTheScreenAndInTheCsv() {
        long p = fixtures().patientInCare();
        PortalSession patient = enrolled(p);
        assertThat(as("physician").get("/api/patients/" + p + "/chart").status()).isEqualTo(200);
        String name = jdbc.sql("select display_name from staff where username = 'physician'").query(String.class).single();
        assertThat(patient.page("/portal/accesses").body()).as("the default: roles and units only").contains("PHYSICIAN").doesNotContain(name);
        assertThat(patient.get("/portal/accesses.csv").body()).startsWith("audit_seq,date,time").doesNotContain(name);

        assertThat(set(BrowserSession.signedIn(port, "admin"), true, true).status()).isEqualTo(302);
        assertThat(patient.page("/portal/accesses").body()).contains("class=\"staff-name\">" + name + ", ");
        assertThat(patient.get("/portal/accesses.csv").body()).contains(",\"" + name + "\"\n");
    }

    @Test
    void aClinicianCannotSetThePortalsPolicyAndTheRefusalIsAudited() {
        long before = jdbc.sql("select count(*) from audit_entry where decision = 'DENY' and actor_username = 'physician'"
                + " and detail like '%/admin/portal-settings/1%'").query(Long.class).single();
        Api.Response refused = set(BrowserSession.signedIn(port, "physician"), false, true);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from portal_setting").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from audit_entry where decision = 'DENY' and actor_username = 'physician'"
                + " and detail like '%/admin/portal-settings/1%'").query(Long.class).single()).isEqualTo(before + 1);
        assertThat(BrowserSession.signedIn(port, "physician").page("/admin/portal-settings").status()).isEqualTo(403);
        Api.Response unknown = BrowserSession.signedIn(port, "admin").pageForm("/admin/portal-settings/999",
                Map.of("breakGlassNotice", "true"), true);
        assertThat(unknown.status()).as("a facility the administrator does not run").isEqualTo(404);
        Api.Response bad = BrowserSession.signedIn(port, "admin").pageForm("/admin/portal-settings/1",
                Map.of("breakGlassNotice", "maybe"), true);
        assertThat(bad.status()).as("bad input is a 4xx, not a 500").isBetween(400, 499);
    }

    @Test
    void theSystemsCaseTellsThePatientRolesAndUnitsNeverAStaffAccountNumber() {
        long p = fixtures().patient();
        assertThat(enrolled(p).page("/portal/record").status()).isEqualTo(200);
        PortalSession second = enrolled(p);
        long desk = fixtures().staffId("frontdesk");
        String cases = second.page("/portal/cases").body();
        assertThat(cases).contains("Opened by the system").contains("FRONT_DESK").doesNotContain("staff account")
                .doesNotContain("account " + desk);
        assertThat(BrowserSession.signedIn(port, "security").page("/security/portal-cases").body())
                .as("the officer still has the account number").contains("staff account " + desk);
        assertThat(second.page("/portal/accesses").body()).as("worded from the messages").contains("an earlier portal enrolment, made")
                .contains("code issued by FRONT_DESK");
    }
}
