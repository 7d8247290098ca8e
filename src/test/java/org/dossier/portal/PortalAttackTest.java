package org.dossier.portal;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on the patient portal found in review (issue 23, against the portal branch at 8c5de9a, then c79084b), each as a
 * test the portal should pass: a thief's or an insider's request refused or made visible, next to the legitimate request that still works.
 * Real HTTP, as {@link PortalTest}.
 */
class PortalAttackTest extends IntegrationTest {

    private static final String PASSWORD = "a long walk by the quiet river";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** A new patient of facility 1, their birth date and family name. */
    record Patient(long id, String birthDate, String familyName) {
    }

    Patient newPatient() {
        long id = fixtures().patient();
        return new Patient(id, identity(id).birthDate().toString(), identity(id).birthFamilyName());
    }

    String issueCode(long patientId) {
        Api.Response r = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("code").asString();
    }

    static String username() {
        return "atk" + SEQUENCE.incrementAndGet() + "." + Long.toString(System.nanoTime() % 100000, 36);
    }

    /** The failures these attacks leave on 127.0.0.1 must not slow the other tests' sign-ins. */
    @AfterEach
    void forgetTheAddressesFailures() {
        jdbc.sql("delete from auth_throttle where throttle_key like 'address:%' or throttle_key like 'portal-address:%'").update();
    }

    /**
     * A lost or stolen phone: the desk issues a new code and the patient enrols again (docs/portal.md). The session the
     * thief holds from the earlier enrolment must end then; today it keeps reading the record (PortalSessions.actor never
     * looks at the account again).
     */
    @Test
    void theSessionsOfAnEarlierEnrolmentEndWhenThePatientEnrolsAgain() {
        Patient p = newPatient();
        PortalSession thief = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        assertThat(thief.page("/portal/record").status()).isEqualTo(200);

        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        assertThat(patient.page("/portal/record").status()).as("the new enrolment signs in").isEqualTo(200);
        Api.Response stolen = thief.page("/portal/record");
        assertThat(stolen.status()).as("the earlier enrolment's session is over").isEqualTo(302);
        assertThat(stolen.header("Location")).endsWith("/portal/signin");
    }

    /**
     * An insider at the desk issues a code for a patient of the facility, enrols with the birth date the desk sees, and
     * reads the clinical sections and prescriptions their role is refused, as "the patient themself". When the real patient
     * enrols later, "Who opened my record" must show those reads: today every entry with the role PATIENT is left out, so
     * what the impostor read is hidden from the one person it concerns.
     */
    @Test
    void readsMadeUnderAnEarlierEnrolmentAreShownToThePatientWhoEnrolsAfterIt() {
        Patient p = newPatient();
        String impostorName = username();
        PortalSession impostor = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), impostorName, PASSWORD);
        assertThat(impostor.page("/portal/record").body()).contains("id=\"allergies\"");
        long impostorsRead = jdbc.sql("""
                        select max(seq) from audit_entry where patient_id = ? and actor_username = ? and reason_code = 'PATIENT_SELF'
                           and resource_type = 'Chart'""")
                .param(p.id()).param(PortalSession.actorOf(jdbc, p.id())).query(Long.class).single();

        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        Api.Response accesses = patient.page("/portal/accesses");
        assertThat(accesses.status()).isEqualTo(200);
        assertThat(accesses.body()).as("the read under the earlier enrolment is listed").contains("id=\"access-" + impostorsRead + "\"");
        assertThat(patient.get("/portal/accesses.csv").body()).contains(impostorsRead + ",");
    }

    /**
     * With the code in hand (a photo of the paper, the desk's screen), the birth date is the only other secret, and the
     * address throttle lets about a hundred guesses an hour through from each address, unaudited. A few wrong birth dates
     * must use the code up, and each must be written to the trail about the patient it was issued for.
     */
    @Test
    void wrongBirthDatesWithAGoodCodeAreAuditedAndUseTheCodeUp() {
        Patient p = newPatient();
        String code = issueCode(p.id());
        LocalDate birth = LocalDate.parse(p.birthDate());
        for (int i = 1; i <= 10; i++) {
            Api.Response wrong = new PortalSession(port).enrol(code, birth.plusDays(i).toString(), username(), PASSWORD);
            assertThat(wrong.body()).doesNotContain("totp-secret");
        }
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and action like 'PORTAL:%' and decision = 'DENY'")
                .param(p.id()).query(Long.class).single()).as("each failed enrolment is audited about the patient").isGreaterThanOrEqualTo(5);
        Api.Response right = new PortalSession(port).enrol(code, p.birthDate(), username(), PASSWORD);
        assertThat(right.body()).as("the code is used up after ten wrong birth dates").contains("ask the hospital").doesNotContain("totp-secret");
    }

    /** The legitimate side of the rule above: a patient who mistypes their birth date once or twice still enrols. */
    @Test
    void aMistypedBirthDateOrTwoStillLetsThePatientEnrol() {
        Patient p = newPatient();
        String code = issueCode(p.id());
        LocalDate birth = LocalDate.parse(p.birthDate());
        new PortalSession(port).enrol(code, birth.plusDays(1).toString(), username(), PASSWORD);
        new PortalSession(port).enrol(code, birth.minusDays(1).toString(), username(), PASSWORD);
        PortalSession patient = PortalSession.enrolled(port, code, p.birthDate(), username(), PASSWORD);
        assertThat(patient.page("/portal/record").status()).isEqualTo(200);
    }

    /** The staff rule, which the portal claims to share: not the person's own name (only the username is checked today). */
    @Test
    void aPasswordMadeOfThePatientsOwnNameIsRefused() {
        Patient p = newPatient();
        String code = issueCode(p.id());
        Api.Response r = new PortalSession(port).enrol(code, p.birthDate(), username(), p.familyName() + " walks by the quiet river");
        assertThat(r.body()).as("refused for the name").contains("must not contain your name").doesNotContain("totp-secret");
    }

    /**
     * One click per request opens a case, without limit: 300 flags of the same access made 300 open cases and a 760 kB,
     * unpaged officer's queue on the review server. An access already in an open case must not open another.
     */
    @Test
    void flaggingTheSameAccessAgainWhileItsCaseIsOpenOpensNoSecondCase() {
        Patient p = newPatient();
        fixtures().careFor(p.id(), "physician");
        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        assertThat(as("physician").get("/api/patients/" + p.id() + "/chart").status()).isEqualTo(200);
        long seq = PortalTest.seqIn(patient.page("/portal/accesses").body());
        assertThat(seq).isPositive();
        for (int i = 0; i < 3; i++) {
            patient.form("/portal/accesses/flag", Map.of("seq", Long.toString(seq), "note", "again " + i));
            patient.page("/portal/accesses");
        }
        assertThat(count("portal_case where status = 'OPEN' and patient_id = " + p.id())).isEqualTo(1);
    }

    /**
     * Opening a case was written to the trail only as a read of the patient's cases (the same entry as viewing "My
     * reports", naming the patient, not the case): the trail must say a case was opened, and which. Fixed on the portal
     * branch by c79084b while this review ran; kept as a regression guard.
     */
    @Test
    void openingACaseIsAuditedAsTheCreationOfThatCase() {
        Patient p = newPatient();
        fixtures().careFor(p.id(), "physician");
        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        as("physician").get("/api/patients/" + p.id() + "/chart");
        long seq = PortalTest.seqIn(patient.page("/portal/accesses").body());
        patient.form("/portal/accesses/flag", Map.of("seq", Long.toString(seq)));
        long caseId = jdbc.sql("select id from portal_case where patient_id = ?").param(p.id()).query(Long.class).single();
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and resource_type = 'PortalCase' and resource_id = ?
                           and action = 'create' and actor_roles = 'PATIENT'""")
                .param(p.id()).param(Long.toString(caseId)).query(Long.class).single()).isEqualTo(1);
    }

    /**
     * The portal faces the internet; its failures count under the same "address:" key as the staff sign-in, so a hundred
     * failed enrolments from an address (the hospital's NAT, a proxy) make the staff sign-in from it wait (429). The
     * portal's address count should be its own.
     */
    @Test
    void failedEnrolmentsFromAnAddressDoNotSlowTheStaffSignInFromIt() {
        boolean throttled = false;
        for (int i = 0; i < 150 && !throttled; i++) {
            throttled = new PortalSession(port).enrol("AAAA-BBBB-CCCC", "1970-01-01", username(), PASSWORD).body().contains("Too many attempts");
        }
        assertThat(throttled).as("the portal slows the address down").isTrue();
        Api.Response staff = anonymous().post("/api/auth/token", Map.of("username", "nobody.here", "password", "wrong password here",
                "code", "123456"));
        assertThat(staff.status()).as(staff.toString()).isEqualTo(401);
    }
}
