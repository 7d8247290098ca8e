package org.dossier.ui;

import org.dossier.identity.TotpService;
import org.dossier.support.Browser;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.Select;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The patient portal in a real Chromium, phone-sized (ADR 0039): the desk issues a code, the patient enrols with it and an
 * authenticator, signs in with both factors, reads their record, sees the access a clinician made a minute earlier, flags
 * it; the security officer closes the case from the console, and the patient reads the outcome; a physician releases a
 * result from the chart and the patient sees it, not the one left unreleased (ADR 0044).
 */
class PortalJourneyTest extends IntegrationTest {

    private static final String PASSWORD = "a long walk by the quiet river";

    @BeforeAll
    static void chromium() {
        Browser.requireChromium();
    }

    @Test
    void enrolSignInReadTheRecordFlagAnAccessAndReadTheOfficersAnswer() {
        long patient = fixtures().patient();
        String family = identity(patient).birthFamilyName();
        String birth = identity(patient).birthDate().toString();
        String code;
        try (Browser desk = Browser.open(port, "en")) {
            desk.signIn("frontdesk").go("/patients/" + patient + "/portal").click("#issue-code");
            code = desk.text("#enrolment-code");
            desk.screenshot("portal-01-desk-code");
        }
        String username = "journey" + (System.nanoTime() % 100000);
        try (Browser phone = Browser.open(port, "en")) {
            phone.driver().manage().window().setSize(new Dimension(390, 844));
            phone.go("/portal/signin").click("#enrol-link");
            phone.waitForPath("/portal/enrol");
            phone.assertEveryFieldLabelled();
            phone.type("#code", code.toLowerCase());
            ((JavascriptExecutor) phone.driver()).executeScript("arguments[0].value = arguments[1]", phone.find("#birthDate"), birth);
            phone.type("#username", username).type("#password", PASSWORD).click("#enrol");
            String secret = phone.text("#totp-secret");
            phone.screenshot("portal-02-authenticator");
            phone.type("#code", TotpService.codeAt(secret, Instant.now())).click("#confirm");
            phone.waitForPathEquals("/portal/signin");

            phone.type("#username", username).type("#password", PASSWORD).click("#continue");
            phone.waitForPathEquals("/portal/signin/code");
            phone.type("#code", TotpService.codeAt(secret, Instant.now().plusSeconds(30))).click("#verify");
            phone.waitForPathEquals("/portal/record");
            assertThat(phone.text("#patient-name")).contains(family);
            phone.screenshot("portal-03-record");

            // A clinician of the patient's care team opens the chart a minute before the patient looks.
            fixtures().careFor(patient, "physician");
            assertThat(as("physician").get("/api/patients/" + patient + "/chart").status()).isEqualTo(200);
            long seq = jdbc.sql("select max(seq) from audit_entry where patient_id = ? and actor_username = 'physician'")
                    .param(patient).query(Long.class).single();
            phone.click("#nav-accesses");
            phone.waitForText("#access-" + seq + " .reason", "CARE_TEAM");
            assertThat(phone.text("#access-" + seq + " .who-role")).contains("PHYSICIAN").contains("Cardio");
            phone.assertEveryFieldLabelled();
            phone.screenshot("portal-04-accesses");
            phone.type("#note-" + seq, "I have never met this doctor").click("#flag-" + seq);
            phone.waitForPathEquals("/portal/cases");
            assertThat(phone.text(".case-status")).isEqualTo("Being looked into");
            phone.assertNoConsoleErrors();

            long caseId = jdbc.sql("select id from portal_case where patient_id = ?").param(patient).query(Long.class).single();
            try (Browser officer = Browser.open(port, "en")) {
                officer.signIn("security").go("/security").click("#portal-cases");
                officer.waitForPath("/security/portal-cases");
                assertThat(officer.text("#case-" + caseId)).contains("I have never met this doctor").contains("CARE_TEAM");
                assertThat(officer.find("#case-" + caseId + " a[href*='/exposure']").getAttribute("href"))
                        .endsWith("/security/accounts/" + fixtures().staffId("physician") + "/exposure");
                new Select(officer.find("#outcome-" + caseId)).selectByValue("LEGITIMATE");
                officer.screenshot("portal-05-officer-case");
                officer.type("#note-" + caseId, "Dr Martin joined your care team yesterday").click("#close-" + caseId);
                officer.waitForText("main", "closed");
            }
            phone.go("/portal/cases");
            assertThat(phone.text(".case-outcome")).isEqualTo("The access was part of your care");
            assertThat(phone.text(".case-outcome-note")).isEqualTo("Dr Martin joined your care team yesterday");
            phone.screenshot("portal-06-outcome");
            phone.assertNoConsoleErrors();

            // The physician releases a result from the chart (ADR 0044); another one stays unreleased and hidden.
            long released = result(patient, "718-7", "Hemoglobin", 13.2);
            long kept = result(patient, "2345-7", "Glucose", 5.4);
            try (Browser doctor = Browser.open(port, "en")) {
                doctor.signIn("physician").go("/patients/" + patient + "?tab=observations").click("#release-observations-" + released);
                doctor.waitForPath("/patients/" + patient);
                assertThat(doctor.find("#result-" + released + " .released").isDisplayed()).as("the chart says it is released").isTrue();
            }
            phone.click("#nav-results");
            phone.waitForPathEquals("/portal/results");
            assertThat(phone.text("#result-" + released)).contains("13.2");
            assertThat(phone.driver().findElements(org.openqa.selenium.By.id("result-" + kept))).as("unreleased: hidden").isEmpty();
            phone.screenshot("portal-07-results");
            phone.assertNoConsoleErrors();
        }
    }

    private long result(long patient, String code, String label, double value) {
        var r = as("physician").post("/api/patients/" + patient + "/observations", java.util.Map.of("kind", "LAB", "value", value,
                "code", code, "label", label, "unit", "g/dL"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }
}
