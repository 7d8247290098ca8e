package org.dossier.ui;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.Browser;
import org.dossier.support.GuardedServerTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed incident in a browser, with the guard at its real thresholds: a stolen clinician session walks the
 * hospital's charts one by one; within a handful of records the account is frozen and the thief sees the frozen page;
 * the security officer then finds the alert with its evidence and the exact list of what was shown.
 */
class ScrapeFreezeJourneyTest extends GuardedServerTest {

    @Autowired
    CredentialService credentials;

    @BeforeAll
    static void chromium() {
        Browser.requireChromium();
    }

    @Test
    void aScriptedScrapeFreezesTheAccountAndTheSecurityOfficerSeesWhatWasRead() {
        String victim = Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "CARDIO"));
        List<Long> hospital = jdbc.sql("select id from patient where facility_id = 1 and status = 'ACTIVE' order by id limit 60")
                .query(Long.class).list();
        int opened = 0;
        try (Browser thief = Browser.open(port, "fr")) {
            thief.signIn(victim);
            for (long id : hospital) {
                thief.go("/patients/" + id);
                opened++;
                if (thief.has("#frozen") || thief.path().startsWith("/signin")) {
                    break;
                }
            }
            assertThat(thief.text("#frozen h1")).isEqualTo("Votre compte est gelé");
            thief.screenshot("08-frozen");
            thief.go("/");
            thief.waitForPath("/signin");
        }
        assertThat(opened).as("charts requested before the freeze").isLessThan(30);
        assertThat(jdbc.sql("select status from staff where username = ?").param(victim).query(String.class).single()).isEqualTo("FROZEN");
        long victimId = fixtures().staffId(victim);
        long shown = jdbc.sql("select count(distinct patient_id) from audit_entry where actor_id = ? and decision = 'ALLOW'")
                .param(victimId).query(Long.class).single();

        try (Browser officer = Browser.open(port, "fr")) {
            officer.signIn("security");
            assertThat(officer.path()).isEqualTo("/security");
            assertThat(officer.text("#alerts")).contains(victim);
            assertThat(officer.text("#frozen-accounts")).contains(victim);
            officer.screenshot("09-security-console");
            officer.click("#alerts a[href='/security/accounts/" + victimId + "/exposure']");
            assertThat(officer.text("#exposure-summary")).startsWith(shown + " patients");
            assertThat(officer.all("#exposure tbody tr")).hasSize((int) shown);
            assertThat(officer.find("#exposure-csv").getAttribute("href")).endsWith("/security/accounts/" + victimId + "/exposure.csv?hours=24");
            officer.screenshot("10-exposure-report");
            officer.go("/security");
            officer.click("#verify-chain");
            officer.waitForText("#chain-status", "Intacte");
            officer.assertNoConsoleErrors();
        }
    }
}
