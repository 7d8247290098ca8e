package org.dossier.portal;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A legal guardian's access to a minor's record over real HTTP (ADR 0050): the desk links the guardian's portal account,
 * the guardian switches to the minor's record and reads it (audited GUARDIAN, the guardian the actor), and the gateway
 * refuses it once the link is ended or the minor has turned 18; no one else makes a link, and no third record opens.
 */
class GuardianLinkTest extends IntegrationTest {

    private record Enrolled(long patientId, String username, PortalSession session) {
    }

    private Enrolled enrolled() {
        return enrolled(fixtures().patient());
    }

    private Enrolled enrolled(long id) {
        String birth = identity(id).birthDate().toString();
        Api.Response code = as("frontdesk").post("/api/patients/" + id + "/portal-code", Map.of());
        assertThat(code.status()).as(code.toString()).isEqualTo(201);
        String username = PortalTest.username();
        return new Enrolled(id, username, PortalSession.enrolled(port, code.json().get("code").asString(), birth, username, PortalTest.PASSWORD));
    }

    private long minor(int years) {
        long id = fixtures().patient();
        bornOn(id, LocalDate.now().minusYears(years));
        return id;
    }

    /**
     * Sets a birth date directly: in clear with the sealed cell emptied, as a row the server has not sealed yet (V57), which
     * the gateway's facts read as they read a sealed one.
     */
    private void bornOn(long patientId, LocalDate birthDate) {
        jdbc.sql("update patient set birth_date = ?, sealed_birth_date = null where id = ?").param(birthDate).param(patientId).update();
        heardByTheServer();
    }

    /** Switches the guardian's session to a record, from a page (the form needs the page's CSRF token). */
    private static void switchTo(PortalSession session, String path, long patientId) {
        session.page("/portal/record");
        session.form(path, Map.of("patientId", Long.toString(patientId)));
    }

    private Api.Response link(String desk, long minor, long guardian) {
        return as(desk).post("/api/patients/" + minor + "/guardians", Map.of("guardianPatientId", guardian));
    }

    private long audited(long patient, String reason, String decision, String actor) {
        return jdbc.sql("select count(*) from audit_entry where patient_id = ? and reason_code = ? and decision = ? and actor_username = ?")
                .param(patient).param(reason).param(decision).param(actor).query(Long.class).single();
    }

    @Test
    void theDeskLinksAGuardianWhoReadsTheMinorsRecordUntilTheLinkIsEnded() {
        Enrolled parent = enrolled();
        long child = minor(12);
        String childName = identity(child).birthFamilyName();

        Api.Response made = link("frontdesk", child, parent.patientId());
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        long linkId = made.json().get("id").asLong();
        assertThat(as("frontdesk").get("/api/patients/" + child + "/guardians").body()).contains(parent.username());

        // The home offers the record; the guardian switches to it and reads it, audited GUARDIAN with the guardian as actor.
        assertThat(parent.session().page("/portal/record").body()).contains("id=\"guardianship\"").contains("Open record no. " + child);
        switchTo(parent.session(), "/portal/acting-for", child);
        Api.Response read = parent.session().page("/portal/record");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).contains(childName).contains("id=\"acting-for\"");
        for (String page : new String[]{"/portal/results", "/portal/documents", "/portal/invoices", "/portal/accesses"}) {
            assertThat(parent.session().page(page).status()).as(page).isEqualTo(200);
        }
        assertThat(audited(child, "GUARDIAN", "ALLOW", PortalSession.actorOf(jdbc, parent.patientId()))).isGreaterThanOrEqualTo(5);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and reason_code = 'GUARDIAN' and purpose <> 'PATRQT'")
                .param(child).query(Long.class).single()).isZero();

        // Read-only: no correction request, no flagged access on the minor's behalf.
        parent.session().page("/portal/record");
        parent.session().form("/portal/record/correction", Map.of("about", "IDENTITY", "message", "wrong name"));
        assertThat(count("portal_correction where patient_id = " + child)).isZero();

        // Back to their own record, which still opens as their own.
        switchTo(parent.session(), "/portal/acting-for/self", 0);
        assertThat(parent.session().page("/portal/record").body()).doesNotContain("id=\"acting-for\"");

        // The desk ends the link: the next read of the minor's record is answered as missing, and audited.
        switchTo(parent.session(), "/portal/acting-for", child);
        assertThat(as("frontdesk").delete("/api/patients/" + child + "/guardians/" + linkId).status()).isEqualTo(204);
        assertThat(parent.session().get("/portal/record").status()).isEqualTo(404);
        assertThat(audited(child, "NOT_OWN_RECORD", "DENY", PortalSession.actorOf(jdbc, parent.patientId()))).isPositive();
    }

    @Test
    void aMinorWhoTurned18IsNoLongerReadByTheGuardianAndIsNotLinkedAgain() {
        Enrolled parent = enrolled();
        long child = minor(17);
        assertThat(link("frontdesk", child, parent.patientId()).status()).isEqualTo(201);
        switchTo(parent.session(), "/portal/acting-for", child);
        assertThat(parent.session().page("/portal/record").status()).isEqualTo(200);

        bornOn(child, LocalDate.now().minusYears(18));
        assertThat(parent.session().get("/portal/record").status()).as("lapsed at the 18th birthday").isEqualTo(404);
        assertThat(audited(child, "NOT_OWN_RECORD", "DENY", PortalSession.actorOf(jdbc, parent.patientId()))).isPositive();

        long adult = minor(18);
        Api.Response refused = link("frontdesk", adult, parent.patientId());
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("18 or over");
    }

    @Test
    void onlyTheDeskOfTheMinorsFacilityLinksAnActiveAccountAndTheRefusalsAreAudited() {
        Enrolled parent = enrolled();
        long child = minor(9);
        assertThat(link("nurse", child, parent.patientId()).status()).isEqualTo(403);
        assertThat(link("physician.sud", child, parent.patientId()).status()).isEqualTo(404);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and resource_type = 'PortalGuardianLink' and decision = 'DENY'")
                .param(child).query(Long.class).single()).isEqualTo(2);
        long noAccount = fixtures().patient();
        Api.Response inactive = link("frontdesk", child, noAccount);
        assertThat(inactive.status()).isEqualTo(409);
        assertThat(inactive.body()).contains("no active portal account");
        assertThat(link("frontdesk", child, child).status()).isEqualTo(422);
        assertThat(as("frontdesk").post("/api/patients/" + child + "/guardians", Map.of()).status()).isEqualTo(422);
        assertThat(count("portal_guardian_link where minor_patient_id = " + child)).isZero();
    }

    @Test
    void theDesksPageLinksAndEndsAGuardianAndTheMinorSeesTheGuardiansReadsAsSuch() {
        Enrolled parent = enrolled();
        long child = minor(15);
        Enrolled teen = enrolled(child);
        org.dossier.support.BrowserSession desk = org.dossier.support.BrowserSession.signedIn(port, "frontdesk");
        assertThat(desk.page("/patients/" + child + "/portal").body()).contains("id=\"desk-guardians\"");
        Api.Response made = desk.pageForm("/patients/" + child + "/portal/guardians",
                Map.of("guardianPatientId", Long.toString(parent.patientId())), true);
        assertThat(made.status()).isEqualTo(302);
        long linkId = jdbc.sql("select id from portal_guardian_link where minor_patient_id = ? and ended_at is null").param(child)
                .query(Long.class).single();
        assertThat(desk.page("/patients/" + child + "/portal").body()).contains("id=\"guardian-" + linkId + "\"").contains(parent.username());
        // A refusal is said on the page, not a 500: an adult guardian's own record is no minor's.
        Api.Response self = desk.pageForm("/patients/" + child + "/portal/guardians", Map.of("guardianPatientId", Long.toString(child)), true);
        assertThat(self.status()).isEqualTo(302);

        switchTo(parent.session(), "/portal/acting-for", child);
        assertThat(parent.session().page("/portal/record").status()).isEqualTo(200);
        Api.Response accesses = teen.session().page("/portal/accesses");
        assertThat(accesses.body()).contains("GUARDIAN").contains("legal guardian, with their own portal account");

        assertThat(desk.pageForm("/patients/" + child + "/portal/guardians/" + linkId + "/end", Map.of(), true).status()).isEqualTo(302);
        assertThat(jdbc.sql("select ended_by from portal_guardian_link where id = ?").param(linkId).query(Long.class).single()).isPositive();
        assertThat(parent.session().get("/portal/record").status()).isEqualTo(404);
    }

    @Test
    void aGuardianNeverReachesAThirdPatient() {
        Enrolled parent = enrolled();
        long child = minor(5);
        long stranger = minor(6);
        assertThat(link("frontdesk", child, parent.patientId()).status()).isEqualTo(201);

        // Asking to switch to a record without a link is refused and leaves the session on its own record.
        switchTo(parent.session(), "/portal/acting-for", stranger);
        assertThat(parent.session().page("/portal/record").body()).doesNotContain("id=\"acting-for\"");
        assertThat(audited(stranger, "GUARDIAN", "ALLOW", PortalSession.actorOf(jdbc, parent.patientId()))).isZero();
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and actor_username = ? and decision = 'ALLOW'")
                .param(stranger).param(PortalSession.actorOf(jdbc, parent.patientId())).query(Long.class).single()).isZero();
    }
}
