package org.dossier.portal;

import org.dossier.identity.TotpService;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixes of the portal's review (PortalAttackTest, ADR 0039 amended 2026-12-07), each beside its legitimate path: a new
 * code ends the sessions signed in before it, the patient signs in again; enrolling over an active account opens a case
 * in the officer's queue by itself, naming who issued the code; the patient's own current reads stay out of their list;
 * a wrong authenticator code at enrolment and a sign-out are written to the trail; the portal's error page leads back to it.
 */
class PortalReviewFixTest extends IntegrationTest {

    private static final String PASSWORD = "a long walk by the quiet river";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private String issueCode(long patientId) {
        Api.Response r = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("code").asString();
    }

    private static String username() {
        return "fix" + SEQUENCE.incrementAndGet() + "." + Long.toString(System.nanoTime() % 100000, 36);
    }

    private String birthDate(long patientId) {
        return identity(patientId).birthDate().toString();
    }

    @Test
    void aNewCodeIssuedEndsTheSessionsSignedInBeforeItAndThePatientSignsInAgain() {
        long p = fixtures().patient();
        String name = username();
        PortalSession patient = PortalSession.enrolled(port, issueCode(p), birthDate(p), name, PASSWORD);
        assertThat(patient.page("/portal/record").status()).isEqualTo(200);

        issueCode(p);
        Api.Response ended = patient.page("/portal/record");
        assertThat(ended.status()).as("a code issued at the desk ends the sessions signed in before").isEqualTo(302);
        assertThat(ended.header("Location")).endsWith("/portal/signin");

        // The enrolment used the current and the next authenticator steps: let the test sign in again without waiting for one.
        jdbc.sql("update portal_account set totp_last_step = 0 where patient_id = ?").param(p).update();
        heardByTheServer();
        PortalSession again = new PortalSession(port);
        again.signIn(name, PASSWORD, TotpService.codeAt(patient.secret(), Instant.now()));
        assertThat(again.page("/portal/record").status()).as("the account itself still signs in").isEqualTo(200);
    }

    @Test
    void enrollingOverAnActiveAccountOpensACaseOfTheSystemNamingWhoIssuedTheCode() {
        long p = fixtures().patient();
        PortalSession first = PortalSession.enrolled(port, issueCode(p), birthDate(p), username(), PASSWORD);
        assertThat(first.page("/portal/record").status()).isEqualTo(200);
        assertThat(count("portal_case where patient_id = " + p)).as("a first enrolment is no case").isZero();
        PortalSession second = PortalSession.enrolled(port, issueCode(p), birthDate(p), username(), PASSWORD);
        assertThat(second.page("/portal/record").status()).isEqualTo(200);

        long desk = fixtures().staffId("frontdesk");
        assertThat(jdbc.sql("select patient_note is null and sealed_patient_note is not null from portal_case where patient_id = ?"
                + " and status = 'OPEN'").param(p).query(Boolean.class).single()).as("the note is sealed with the patient's key (V68)").isTrue();
        assertThat(count("audit_entry where patient_id = " + p + " and resource_type = 'PortalCase' and action = 'create'"))
                .as("the case's opening is audited").isEqualTo(1);
        Api.Response queue = BrowserSession.signedIn(port, "security").page("/security/portal-cases");
        assertThat(queue.body()).contains("Opened by the system").contains("staff account " + desk);

        Api.Response accesses = second.page("/portal/accesses");
        assertThat(accesses.body()).as("the earlier enrolment's reads are told with who issued its code")
                .contains("an earlier portal enrolment").contains("FRONT_DESK");
        long ownReads = count("audit_entry where patient_id = " + p + " and actor_id = -(select id from portal_account where patient_id = "
                + p + " and status = 'ACTIVE') and decision = 'ALLOW'");
        assertThat(ownReads).isPositive();
        long newest = jdbc.sql("select max(seq) from audit_entry where patient_id = ? and actor_id = -(select id from portal_account "
                + "where patient_id = ? and status = 'ACTIVE')").param(p).param(p).query(Long.class).single();
        assertThat(accesses.body()).as("the current enrolment's own reads are not listed").doesNotContain("id=\"access-" + newest + "\"");
    }

    @Test
    void aWrongAuthenticatorCodeAtEnrolmentIsAuditedAndTheRightOneStillConfirms() {
        long p = fixtures().patient();
        PortalSession s = new PortalSession(port);
        Api.Response started = s.enrol(issueCode(p), birthDate(p), username(), PASSWORD);
        assertThat(started.status()).isEqualTo(200);
        s.form("/portal/enrol/authenticator", Map.of("code", "000000"));
        assertThat(count("audit_entry where patient_id = " + p + " and action = 'PORTAL:ENROLMENT' and decision = 'DENY'")).isEqualTo(1);
    }

    @Test
    void aSignOutIsAuditedAndThePortalsErrorPageLeadsBackToThePortal() {
        long p = fixtures().patient();
        PortalSession patient = PortalSession.enrolled(port, issueCode(p), birthDate(p), username(), PASSWORD);
        Api.Response missing = patient.page("/portal/no-such-page");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("id=\"error-home\" href=\"/portal\"");
        patient.page("/portal/record");
        Api.Response out = patient.form("/portal/signout", Map.of());
        assertThat(out.status()).isEqualTo(302);
        assertThat(count("audit_entry where patient_id = " + p + " and action = 'PORTAL:SIGN_OUT'")).isEqualTo(1);
        assertThat(patient.page("/portal/record").status()).isEqualTo(302);
    }
}
