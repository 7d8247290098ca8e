package org.dossier.portal;

import jakarta.mail.internet.MimeMessage;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.dossier.support.PortalSession;
import org.dossier.support.TestMailbox;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Enrolment codes sent to the e-mail on a qualified record (ADR 0049), through a real SMTP server: the desk learns where
 * the code went and never the code; the patient enrols with what arrived; an unqualified identity, a record without an
 * e-mail, another role or facility, and a relay that is down are each refused with a message the desk can act on.
 */
class PortalCodeMailTest extends IntegrationTest {

    private static final Pattern CODE = Pattern.compile("\\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\\b");

    /** A qualified patient of facility 1 with one e-mail of their own, and their birth date. */
    private record Qualified(long id, String email, String birthDate) {
    }

    private Qualified qualified(boolean withEmail) {
        Map<String, Object> p = PatientJson.valid("Courriel" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "x"), "Test");
        String email = "patient." + System.nanoTime() + "@example.fr";
        p.put("emails", withEmail ? List.of(Map.of("use", "HOME", "address", email)) : List.of());
        Api.Response r = as("frontdesk").post("/api/patients", PatientJson.reviewed(1, p));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        long id = r.json().get("id").asLong();
        return new Qualified(id, email, (String) p.get("birthDate"));
    }

    private Api.Response mail(String username, long patientId) {
        return as(username).post("/api/patients/" + patientId + "/portal-code?delivery=mail", Map.of());
    }

    private static String codeIn(MimeMessage message) throws Exception {
        Matcher m = CODE.matcher(message.getContent().toString());
        assertThat(m.find()).as("the message carries a code").isTrue();
        return m.group(1);
    }

    private long codes(long patientId) {
        return jdbc.sql("select count(*) from portal_enrolment_code where patient_id = ?").param(patientId).query(Long.class).single();
    }

    @Test
    void theCodeGoesToTheRecordsEmailTheDeskNeverSeesItAndThePatientEnrolsWithIt() throws Exception {
        Qualified p = qualified(true);
        Api.Response sent = mail("frontdesk", p.id());
        assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
        assertThat(sent.json().has("code")).as("the desk never holds the code").isFalse();
        assertThat(sent.json().get("sentTo").asString()).isEqualTo("p•••@example.fr");

        List<MimeMessage> received = TestMailbox.to(p.email());
        assertThat(received).hasSize(1);
        String code = codeIn(received.get(0));
        assertThat(sent.body()).doesNotContain(code);
        assertThat(received.get(0).getContent().toString()).as("the message names no patient")
                .doesNotContain(identity(p.id()).birthFamilyName());
        assertThat(jdbc.sql("select delivery from portal_enrolment_code where patient_id = ?").param(p.id()).query(String.class).single())
                .isEqualTo("MAIL");

        String username = "mailed." + Long.toString(System.nanoTime() % 1_000_000, 36);
        PortalSession patient = PortalSession.enrolled(port, code, p.birthDate(), username, PortalTest.PASSWORD);
        assertThat(patient.page("/portal/record").status()).isEqualTo(200);
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and action = 'PORTAL:ENROLMENT'
                           and detail like '%sent by e-mail at the request of staff account%'""")
                .param(p.id()).query(Long.class).single()).as("the enrolment says how its code travelled").isEqualTo(1);
    }

    @Test
    void anUnqualifiedIdentityARecordWithoutEmailAndADownRelayAreRefusedAndNothingIsIssued() {
        long provisional = fixtures().patient();
        Api.Response unqualified = mail("frontdesk", provisional);
        assertThat(unqualified.status()).isEqualTo(409);
        assertThat(unqualified.json().get("detail").asString()).contains("qualified identity").contains("hand a code over at the desk");
        assertThat(codes(provisional)).isZero();

        Qualified noEmail = qualified(false);
        Api.Response none = mail("frontdesk", noEmail.id());
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.json().get("type").asString()).endsWith("/no-email");
        assertThat(codes(noEmail.id())).isZero();

        // The relay is down: no code is issued, and the code handed over earlier still works.
        Qualified p = qualified(true);
        String handed = as("frontdesk").post("/api/patients/" + p.id() + "/portal-code", Map.of()).json().get("code").asString();
        TestMailbox.stop();
        Api.Response down;
        try {
            down = mail("frontdesk", p.id());
        } finally {
            TestMailbox.resume();
        }
        assertThat(down.status()).isEqualTo(409);
        assertThat(down.json().get("type").asString()).endsWith("/mail-not-sent");
        assertThat(codes(p.id())).as("only the code handed over").isEqualTo(1);
        PortalSession patient = PortalSession.enrolled(port, handed, p.birthDate(), "handed." + Long.toString(System.nanoTime() % 1_000_000, 36),
                PortalTest.PASSWORD);
        assertThat(patient.page("/portal/record").status()).isEqualTo(200);
    }

    @Test
    void anotherRoleOrFacilityCannotSendACodeAndTheRefusalIsAudited() {
        Qualified p = qualified(true);
        assertThat(mail("nurse", p.id()).status()).isEqualTo(403);
        assertThat(mail("physician.sud", p.id()).status()).isEqualTo(404);
        assertThat(as("frontdesk").post("/api/patients/" + p.id() + "/portal-code?delivery=pigeon", Map.of()).status()).isEqualTo(400);
        assertThat(TestMailbox.to(p.email())).as("nothing sent").isEmpty();
        assertThat(codes(p.id())).isZero();
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and resource_type = 'PortalEnrolment' and decision = 'DENY'
                           and actor_username in ('nurse', 'physician.sud')""")
                .param(p.id()).query(Long.class).single()).isEqualTo(2);
    }

    @Test
    void theDesksScreenOffersTheEmailAndSaysWhereTheCodeWent() {
        Qualified p = qualified(true);
        BrowserSession desk = BrowserSession.signedIn(port, "frontdesk");
        assertThat(desk.page("/patients/" + p.id() + "/portal").body()).contains("id=\"mail-code\"");
        Api.Response posted = desk.pageForm("/patients/" + p.id() + "/portal/code/mail", Map.of(), true);
        assertThat(posted.status()).isEqualTo(302);
        String after = desk.page("/patients/" + p.id() + "/portal").body();
        assertThat(after).contains("id=\"mailed\"").contains("p•••@example.fr").doesNotContain("enrolment-code");
        assertThat(TestMailbox.to(p.email())).hasSize(1);

        long provisional = fixtures().patient();
        desk.pageForm("/patients/" + provisional + "/portal/code/mail", Map.of(), true);
        assertThat(desk.page("/patients/" + provisional + "/portal").body()).as("a readable refusal").contains("qualified identity");
    }

    @Test
    void aFacilityThatSendsCodesByEmailOnlyRefusesACodeAtTheDeskAndAuditsTheRefusal() {
        Qualified p = qualified(true);
        BrowserSession admin = BrowserSession.signedIn(port, "admin");
        Map<String, String> mailOnly = Map.of("breakGlassNotice", "true", "staffNames", "false");
        try {
            assertThat(admin.pageForm("/admin/portal-settings/1", mailOnly, true).status()).isEqualTo(302);
            Api.Response handed = as("frontdesk").post("/api/patients/" + p.id() + "/portal-code", Map.of());
            assertThat(handed.status()).isEqualTo(403);
            assertThat(handed.json().get("detail").asString()).contains("e-mail only");
            assertThat(codes(p.id())).isZero();
            assertThat(jdbc.sql("""
                            select count(*) from audit_entry where patient_id = ? and resource_type = 'PortalEnrolment' and decision = 'DENY'
                               and reason_code = 'FACILITY_POLICY' and actor_username = 'frontdesk'""")
                    .param(p.id()).query(Long.class).single()).as("the refusal is audited").isEqualTo(1);
            String page = BrowserSession.signedIn(port, "frontdesk").page("/patients/" + p.id() + "/portal").body();
            assertThat(page).contains("id=\"mail-only\"").contains("id=\"mail-code\"").doesNotContain("id=\"issue-code\"");
            assertThat(mail("frontdesk", p.id()).status()).as("the e-mail is the way").isEqualTo(201);
        } finally {
            admin.pageForm("/admin/portal-settings/1", Map.of("breakGlassNotice", "true", "staffNames", "false", "deskCodes", "true"), true);
        }
        assertThat(as("frontdesk").post("/api/patients/" + p.id() + "/portal-code", Map.of()).status()).as("allowed again").isEqualTo(201);
    }
}
