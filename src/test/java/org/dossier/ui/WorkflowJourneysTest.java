package org.dossier.ui;

import org.dossier.identity.CredentialService;
import org.dossier.identity.TotpService;
import org.dossier.patient.Nir;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.Browser;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The other roles' screens in a real browser: the administrator creates an account and the new colleague enrols from
 * the one-time link; the admissions desk registers (through the duplicate warning), edits an identity, admits,
 * transfers and discharges; the billing clerk invoices, claims and records a health-card read; the security officer
 * reviews a break-the-glass, unfreezes an account and searches the trail. Each ends with the record in the database.
 */
class WorkflowJourneysTest extends IntegrationTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Autowired
    CredentialService credentials;

    @BeforeAll
    static void chromium() {
        Browser.requireChromium();
    }

    @Test
    void anAdministratorCreatesAnAccountAndTheNewColleagueEnrolsFromTheLink() {
        String username = "nurse.new" + SEQUENCE.incrementAndGet() + "." + System.nanoTime() % 10_000;
        int cardio = fixtures().unit(1, "CARDIO");
        String link;
        try (Browser admin = Browser.open(port, "fr")) {
            admin.signIn("admin");
            assertThat(admin.path()).isEqualTo("/admin/staff");
            admin.click("#admin-staff a.button");
            admin.type("#m-username", username).type("#m-name", "Inès Nouvelle");
            admin.click("input[name=roles][value=NURSE]");
            admin.click("input[name=facilityIds][value='1']");
            admin.click("input[name=unitIds][value='" + cardio + "']");
            admin.assertEveryFieldLabelled();
            admin.click("#admin-member form button[type=submit]");
            admin.waitForText("main .notice", "Demande enregistrée");
            assertThat(admin.path()).isEqualTo("/admin/grants");
            assertThat(admin.text("#admin-grants")).contains(username);
            long grant = jdbc.sql("select id from staff_grant where username = ? and status = 'PENDING'").param(username)
                    .query(Long.class).single();
            assertThat(admin.has("#grant-" + grant + " button.approve")).as("the requester has nothing to approve").isFalse();
            try (Browser second = Browser.open(port, "fr")) {
                second.signIn("admin2");
                second.go("/admin/grants");
                second.assertEveryFieldLabelled();
                second.click("#grant-" + grant + " button.approve");
                second.waitForText("main .notice", "Droit approuvé");
                second.assertNoConsoleErrors();
            }
            long id = jdbc.sql("select id from staff where username = ?").param(username).query(Long.class).single();
            admin.go("/admin/staff/" + id);
            admin.click("#issue-link");
            link = admin.text("#enrolment-link code");
            assertThat(link).startsWith("/signin/link?token=");
            admin.assertNoConsoleErrors();
        }
        try (Browser colleague = Browser.open(port, "fr")) {
            colleague.go(link);
            colleague.click("#enrolment-link button");
            colleague.waitForPath("/signin/enrol");
            colleague.type("#new-password", "Une longue phrase pour l'hôpital Nord 2026").click("#password-form button");
            colleague.waitForText("main .notice", "mot de passe est défini");
            String secret = colleague.text("#totp-secret");
            colleague.screenshot("12-enrolment");
            String wrong = TotpService.codeAt(secret, Instant.now()).equals("000000") ? "111111" : "000000";
            colleague.type("#enrol-code", wrong).click("#enrol .step form button");
            assertThat(colleague.text("main .error")).contains("does not match");
            colleague.type("#enrol-code-again", TotpService.codeAt(secret, Instant.now())).click("#retry-code-form button");
            colleague.find("#recovery-codes ol li"); // the answer's page, not the one the click left
            assertThat(colleague.all("#recovery-codes ol li")).hasSize(10);
            colleague.click("#recovery-codes a.button");
            colleague.waitForText("h1", "Ma journée");
        }
        assertThat(jdbc.sql("select status from staff where username = ?").param(username).query(String.class).single()).isEqualTo("ACTIVE");
    }

    @Test
    void theAdmissionsDeskRegistersThroughTheDuplicateWarningEditsAdmitsTransfersAndDischarges() {
        String desk = Accounts.newStaff(as("admin"), credentials, "FRONT_DESK", 1, null);
        String family = "Durandtest" + letters(SEQUENCE.incrementAndGet());
        try (Browser browser = Browser.open(port, "fr")) {
            browser.signIn(desk);
            browser.go("/patients/new");
            fillIdentity(browser, family);
            browser.click("#register-form button[type=submit]");
            browser.waitForPath("/patients/");
            long first = Long.parseLong(browser.path().substring("/patients/".length()));

            browser.go("/patients/new");
            fillIdentity(browser, family);
            browser.click("#register-form button[type=submit]");
            assertThat(browser.text("#duplicates")).containsIgnoringCase(family);
            assertThat(browser.find("#f-birth-name").getAttribute("value")).as("what was typed is kept").isEqualTo(family);
            browser.screenshot("13-duplicate-warning");
            browser.click("#duplicates input[type=checkbox]");
            browser.click("#register-form button[type=submit]");
            browser.waitForText("#patient-banner", "Léa");
            long second = Long.parseLong(browser.path().substring("/patients/".length()));
            assertThat(second).isNotEqualTo(first);

            browser.go("/patients/" + first + "/edit");
            browser.type("#f-phone", "0611223344").type("#f-reason", "nouveau numéro donné par la patiente");
            browser.click("#edit-form button[type=submit]");
            browser.waitForText("main .notice", "nouvelle version");
            assertThat(browser.text("#summary-identity")).contains("0611223344");

            browser.go("/patients/" + first + "?tab=stays");
            browser.click("#stays a.button");
            new Select(browser.find("#a-unit")).selectByVisibleText("Cardiologie");
            browser.type("#a-bed", "21").type("#a-reason", "Douleur thoracique");
            browser.click("#admit form button[type=submit]");
            browser.waitForText("main .notice", "Patient admis");
            browser.click("#stays td a");
            browser.type("#t-bed", "22").type("#t-reason", "chambre seule");
            browser.click("#transfer-form button[type=submit]");
            browser.waitForText("main .notice", "Mutation enregistrée");
            browser.click("#stays td a");
            browser.type("#d-reason", "retour à domicile");
            browser.click("#discharge-form button[type=submit]");
            browser.driver().switchTo().alert().accept();
            browser.waitForText("main .notice", "Sortie enregistrée");
            browser.assertEveryFieldLabelled();
            browser.assertNoConsoleErrors();
            assertThat(jdbc.sql("select status from stay where patient_id = ?").param(first).query(String.class).single()).isEqualTo("DISCHARGED");
            assertThat(jdbc.sql("select count(*) from stay_movement m join stay s on s.id = m.stay_id where s.patient_id = ?")
                    .param(first).query(Long.class).single()).isEqualTo(2);
        }
    }

    @Test
    void aBillingClerkInvoicesClaimsAndRecordsAHealthCardRead() {
        String clerk = Accounts.newStaff(as("admin"), credentials, "BILLING", 1, null);
        // A demo patient seen in clinic, insured, whose consultation is not billed yet: an invoice is for one stay or one
        // appointment, and a claim goes to the patient's insurer on record.
        // The demo bills most consultations already, and other tests bill the rest: when none is left, one more is
        // recorded as seen three days ago (at a minute of its own, so that it takes nobody's slot).
        Map<String, Object> seen = jdbc.sql("""
                select a.patient_id, a.id from appointment a join patient p on p.id = a.patient_id
                 where a.facility_id = 1 and a.status = 'COMPLETED' and p.sealed_coverage_nir is not null
                   and not exists (select 1 from invoice i where i.appointment_id = a.id) order by a.id limit 1""").query().listOfRows()
                .stream().findFirst().orElseGet(() -> jdbc.sql("""
                        insert into appointment (facility_id, patient_id, practitioner_id, unit_id, start_at, end_at, status, reason,
                                                 version, created_at, updated_at)
                        select a.facility_id, a.patient_id, a.practitioner_id, a.unit_id, t.at, t.at + interval '20 minutes', 'COMPLETED',
                               'Consultation de suivi', 1, now(), now()
                          from appointment a join patient p on p.id = a.patient_id,
                               (select date_trunc('minute', now()) - interval '3 days' - make_interval(secs => ?) as at) t
                         where a.facility_id = 1 and a.status = 'COMPLETED' and p.sealed_coverage_nir is not null order by a.id limit 1
                        returning patient_id, id""").param(System.nanoTime() % 1000 * 60 + 7).query().singleRow());
        long patient = ((Number) seen.get("patient_id")).longValue();
        long appointment = ((Number) seen.get("id")).longValue();
        long cardReadsBefore = jdbc.sql("select count(*) from health_card_read where patient_id = ?").param(patient).query(Long.class).single();
        try (Browser browser = Browser.open(port, "fr")) {
            browser.signIn(clerk);
            assertThat(browser.path()).isEqualTo("/billing");
            browser.go("/patients/" + patient + "?tab=billing");
            new Select(browser.find("#invoice-for")).selectByValue("appointment:" + appointment);
            browser.click("#open-invoice");
            browser.waitForText("main .notice", "Facture ouverte");
            String invoice = "#invoice-" + jdbc.sql("select id from invoice where appointment_id = ?").param(appointment).query(Long.class).single();
            browser.type(invoice + " input[name=actCode]", "CSC");
            browser.click(invoice + " form.row button");
            browser.waitForText("main .notice", "Acte ajouté");
            browser.click(invoice + " form[action$='/issue'] button");
            browser.waitForText("main .notice", "Facture émise");
            browser.type("#cr-ws", "ACCUEIL-02").type("#cr-holder", "Test Fixture").type("#cr-nir", Nir.withKey("2700175123456"))
                    .type("#cr-fund", "691").type("#cr-amc", "Mutuelle du Rhône");
            browser.click("#card-read-form button[type=submit]");
            browser.waitForText("main .notice", "Lecture de carte enregistrée");
            browser.click(invoice + " form[action$='/claims'] button");
            browser.waitForText("main .notice", "Demande préparée");
            browser.screenshot("14-billing");
            browser.go("/billing");
            long claim = jdbc.sql("select c.id from claim c join invoice i on i.id = c.invoice_id where i.appointment_id = ?")
                    .param(appointment).query(Long.class).single();
            WebElement send = browser.driver().findElement(By.xpath("//td[text()='" + claim + "']/ancestor::tr//button"));
            send.click();
            browser.waitForText("main .notice", "Demande envoyée");
            browser.assertNoConsoleErrors();
        }
        assertThat(jdbc.sql("select status from invoice where appointment_id = ?").param(appointment).query(String.class).single())
                .isEqualTo("ISSUED");
        assertThat(jdbc.sql("select c.status from claim c join invoice i on i.id = c.invoice_id where i.appointment_id = ?")
                .param(appointment).query(String.class).single()).isIn("SENT", "ACCEPTED", "REJECTED");
        assertThat(jdbc.sql("select count(*) from health_card_read where patient_id = ?").param(patient).query(Long.class).single())
                .isEqualTo(cardReadsBefore + 1);
    }

    @Test
    void theSecurityOfficerReviewsABreakTheGlassUnfreezesAnAccountAndSearchesTheTrail() {
        long patient = fixtures().patient();
        String doctor = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "URG"));
        Api.Response granted = as(doctor).post("/api/patients/" + patient + "/break-glass",
                Map.of("reason", "PATIENT_SAFETY", "justification", "résultat de potassium critique à vérifier"));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        long grant = granted.json().get("id").asLong();
        String frozen = Accounts.newStaff(as("admin"), credentials, "NURSE", 1, fixtures().unit(1, "CARDIO"));
        // As the guard leaves it: status FROZEN (the guard's own path is ScrapeFreezeJourneyTest's).
        jdbc.sql("update staff set status = 'FROZEN' where username = ?").param(frozen).update();
        heardByTheServer();
        long doctorId = fixtures().staffId(doctor);

        try (Browser officer = Browser.open(port, "fr")) {
            officer.signIn("security");
            new Select(officer.find("#outcome-" + grant)).selectByValue("NOT_JUSTIFIED");
            officer.type("#comment-" + grant, "aucun lien avec le patient, à voir avec le chef de service");
            officer.click("#grant-" + grant + " button");
            officer.waitForText("main .notice", "Revue enregistrée");

            officer.type("#frozen-" + frozen.replace(".", "\\.") + " input[name=reason]", "appel de l'intéressée, activité expliquée");
            officer.click("#frozen-" + frozen.replace(".", "\\.") + " button");
            officer.waitForText("main .notice", "Compte dégelé");

            officer.go("/security/audit?account=" + doctorId);
            assertThat(officer.text("#audit-search table")).contains("break-glass").contains(doctor);
            officer.go("/security/patients/" + patient + "/accesses");
            assertThat(officer.text("#patient-accesses table")).contains(doctor).contains("BREAK_THE_GLASS");
            officer.assertEveryFieldLabelled();
            officer.assertNoConsoleErrors();
        }
        assertThat(jdbc.sql("select review_outcome from break_glass_grant where id = ?").param(grant).query(String.class).single())
                .isEqualTo("NOT_JUSTIFIED");
        assertThat(jdbc.sql("select status from staff where username = ?").param(frozen).query(String.class).single()).isEqualTo("ACTIVE");
    }

    private static void fillIdentity(Browser browser, String family) {
        browser.type("#f-birth-name", family).type("#f-given", "Léa");
        ((JavascriptExecutor) browser.driver()).executeScript("arguments[0].value = '1985-03-04'", browser.find("#f-birth-date"));
        new Select(browser.find("#f-sex")).selectByValue("F");
        browser.type("#f-address", "3 place Bellecour").type("#f-postal", "69002").type("#f-city", "Lyon");
    }

    private static String letters(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = n + 26; i > 0; i /= 26) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }
}
