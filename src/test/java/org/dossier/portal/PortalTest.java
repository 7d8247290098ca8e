package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.identity.TotpService;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.NotFoundException;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The patient portal over real HTTP (ADR 0039): enrolment from the desk's one-time code, sign-in with password and
 * authenticator, the patient's own record and no other, the separate filter chains tested both ways, "who opened my
 * record", a flagged access and the officer's outcome.
 */
class PortalTest extends IntegrationTest {

    static final String PASSWORD = "a long walk by the quiet river";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Autowired
    AccessGateway gateway;

    @Autowired
    org.dossier.identity.CredentialService credentials;

    /** A new patient of facility 1 and their birth date. */
    record Patient(long id, String birthDate) {
    }

    Patient newPatient() {
        long id = fixtures().patient();
        String birth = identity(id).birthDate().toString();
        return new Patient(id, birth);
    }

    String issueCode(long patientId) {
        Api.Response r = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("code").asString();
    }

    static String username() {
        return "pat" + SEQUENCE.incrementAndGet() + "." + Long.toString(System.nanoTime() % 100000, 36);
    }

    @Test
    void aPatientEnrolsWithTheDesksCodeSignsInWithTwoFactorsAndSeesTheirOwnRecord() {
        Patient p = newPatient();
        String code = issueCode(p.id());
        assertThat(jdbc.sql("select code_hash from portal_enrolment_code where patient_id = ?").param(p.id()).query(String.class).single())
                .as("kept as its SHA-256 only").isEqualTo(PortalAccounts.hash(code)).doesNotContain(code.replace("-", ""));
        String username = username();
        PortalSession patient = PortalSession.enrolled(port, code, p.birthDate(), username, PASSWORD);

        Api.Response record = patient.page("/portal/record");
        assertThat(record.status()).isEqualTo(200);
        String name = identity(p.id()).birthFamilyName();
        assertThat(record.body()).contains(name).contains("id=\"allergies\"").contains("id=\"appointments\"");
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where patient_id = ? and actor_roles = 'PATIENT' and reason_code = 'PATIENT_SELF'
                           and purpose = 'PATRQT' and decision = 'ALLOW' and actor_username = ?""")
                .param(p.id()).param(PortalSession.actorOf(jdbc, p.id())).query(Long.class).single()).as("the read is audited, the patient its actor").isPositive();

        // The code was used once: a second enrolment with it is refused with a readable message.
        Api.Response again = new PortalSession(port).enrol(code, p.birthDate(), username(), PASSWORD);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).contains("ask the hospital").doesNotContain("totp-secret");
    }

    @Test
    void aWrongBirthDateAnExpiredCodeAWeakPasswordAndAWrongSecondFactorAreRefused() {
        Patient p = newPatient();
        String code = issueCode(p.id());
        Api.Response wrongBirth = new PortalSession(port).enrol(code, "1901-01-01", username(), PASSWORD);
        assertThat(wrongBirth.body()).contains("ask the hospital").doesNotContain("totp-secret");
        Api.Response weak = new PortalSession(port).enrol(code, p.birthDate(), username(), "password");
        assertThat(weak.body()).contains("password").doesNotContain("totp-secret");
        jdbc.sql("update portal_enrolment_code set expires_at = now() - interval '1 minute' where patient_id = ?").param(p.id()).update();
        assertThat(new PortalSession(port).enrol(code, p.birthDate(), username(), PASSWORD).body()).contains("ask the hospital");

        // A fresh code works; then a sign-in with the right password and a wrong code stays on the code step, audited.
        String username = username();
        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username, PASSWORD);
        PortalSession thief = new PortalSession(port);
        thief.page("/portal/signin");
        assertThat(thief.form("/portal/signin", Map.of("username", username, "password", PASSWORD)).header("Location")).endsWith("/portal/signin/code");
        thief.page("/portal/signin/code");
        Api.Response wrong = thief.form("/portal/signin/code", Map.of("code", "000000"));
        assertThat(wrong.status()).isEqualTo(200);
        assertThat(thief.page("/portal/record").header("Location")).as("not signed in").endsWith("/portal/signin");
        assertThat(jdbc.sql("select count(*) from audit_entry where action = 'PORTAL:SIGN_IN_FAILED' and actor_username = ?")
                .param(PortalSession.actorOf(jdbc, p.id())).query(Long.class).single()).isPositive();
        assertThat(patient.page("/portal/record").status()).isEqualTo(200);
    }

    @Test
    void onlyTheFrontDeskOfThePatientsFacilityIssuesACodeAndTheRefusalIsAudited() {
        Patient p = newPatient();
        Api.Response nurse = as("nurse").post("/api/patients/" + p.id() + "/portal-code", Map.of());
        assertThat(nurse.status()).isEqualTo(403);
        Api.Response other = as("physician.sud").post("/api/patients/" + p.id() + "/portal-code", Map.of());
        assertThat(other.status()).isEqualTo(404);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and resource_type = 'PortalEnrolment' and decision = 'DENY'")
                .param(p.id()).query(Long.class).single()).isEqualTo(2);
        assertThat(count("portal_enrolment_code where patient_id = " + p.id())).isZero();
    }

    @Test
    void thePatientsSessionOpensNoStaffEndpointAndAStaffSessionOrTokenOpensNoPortalPage() {
        Patient p = newPatient();
        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        assertThat(patient.get("/api/patients/" + p.id()).status()).as("staff API, patient's cookie").isEqualTo(401);
        assertThat(patient.get("/api/me").status()).isEqualTo(401);
        assertThat(patient.page("/patients/" + p.id()).header("Location")).as("staff screen").endsWith("/signin");
        assertThat(patient.get("/fhir/Patient/" + p.id()).status()).isEqualTo(401);

        String token = as("frontdesk").token();
        Api.Response withToken = Api.anonymous(port).withBearer(token).get("/portal/record");
        assertThat(withToken.status()).as("a staff token is not read by the portal").isEqualTo(302);
        assertThat(withToken.header("Location")).endsWith("/portal/signin");
        assertThat(Api.anonymous(port).withBearer(token).get("/api/portal/record").status()).isEqualTo(401);
        BrowserSession staff = BrowserSession.signedIn(port, "physician");
        assertThat(staff.page("/portal/record").header("Location")).as("a staff session is not a patient's").endsWith("/portal/signin");
        assertThat(staff.page("/portal/accesses").header("Location")).endsWith("/portal/signin");
        assertThat(patient.page("/portal/record").status()).isEqualTo(200);
    }

    @Test
    void theGatewayAnswersAPatientActorAboutTheirOwnRecordOnlyAndNeverLetsThemChangeIt() {
        Patient own = newPatient();
        Patient other = newPatient();
        // A real account: the gateway reads whose record the account is (ADR 0050), it does not take the scope's word for it.
        PortalSession.enrolled(port, issueCode(own.id()), own.birthDate(), username(), PASSWORD);
        long account = jdbc.sql("select id from portal_account where patient_id = ? and status = 'ACTIVE'").param(own.id()).query(Long.class).single();
        Actor patient = new Actor(-account, "patient:test", Set.of(Role.PATIENT), Set.of(1), Set.of(), "portal:test", "127.0.0.1", "test",
                Actor.Channel.SESSION, Instant.now(), own.id());
        assertThat(gateway.read(patient, own.id(), Section.CLINICAL, AuditResource.Allergy, null).reasonCode()).isEqualTo("PATIENT_SELF");
        assertThatThrownBy(() -> gateway.read(patient, other.id(), Section.IDENTITY, AuditResource.Patient, other.id()))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> gateway.write(patient, own.id(), Section.CLINICAL, org.dossier.audit.AuditAction.CREATE,
                AuditResource.Allergy, null)).isInstanceOf(org.dossier.platform.ForbiddenException.class);
        assertThatThrownBy(() -> gateway.read(patient, own.id(), Section.COVERAGE, AuditResource.Patient, null))
                .isInstanceOf(org.dossier.platform.ForbiddenException.class);
        assertThatThrownBy(() -> gateway.permitSearch(patient, AuditResource.Patient)).isInstanceOf(org.dossier.platform.ForbiddenException.class);
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and actor_id = ? and decision = 'DENY' and reason_code = 'NOT_OWN_RECORD'")
                .param(other.id()).param(-account).query(Long.class).single()).isEqualTo(1);
        // An actor whose scope names a record its account is not for (no such account here) is answered as missing.
        Actor forged = new Actor(-999_001L, "patient:forged", Set.of(Role.PATIENT), Set.of(1), Set.of(), "portal:test", "127.0.0.1", "test",
                Actor.Channel.SESSION, Instant.now(), own.id());
        assertThatThrownBy(() -> gateway.read(forged, own.id(), Section.CLINICAL, AuditResource.Allergy, null)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void thePatientSeesAnAccessAClinicianJustMadeFlagsItAndSeesTheOfficersOutcome() {
        Patient p = newPatient();
        fixtures().careFor(p.id(), "physician");
        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        assertThat(as("physician").get("/api/patients/" + p.id() + "/chart").status()).isEqualTo(200);

        Api.Response accesses = patient.page("/portal/accesses");
        assertThat(accesses.status()).isEqualTo(200);
        assertThat(accesses.body()).contains("CARE_TEAM").contains("a member of your care team").contains("PHYSICIAN");
        long seq = jdbc.sql("""
                        select max(seq) from audit_entry where patient_id = ? and actor_username = 'physician' and reason_code = 'CARE_TEAM'""")
                .param(p.id()).query(Long.class).single();
        assertThat(accesses.body()).contains("id=\"access-" + seq + "\"");
        Api.Response csv = patient.get("/portal/accesses.csv");
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.body()).startsWith("audit_seq,date,time").contains(seq + ",").contains("\"CARE_TEAM\"");

        Api.Response flagged = patient.form("/portal/accesses/flag", Map.of("seq", Long.toString(seq), "note", "I have never met this doctor"));
        assertThat(flagged.header("Location")).endsWith("/portal/cases");
        long caseId = jdbc.sql("select id from portal_case where patient_id = ?").param(p.id()).query(Long.class).single();
        assertThat(jdbc.sql("select audit_seq from portal_case_entry where case_id = ?").param(caseId).query(Long.class).list()).containsExactly(seq);
        assertThat(jdbc.sql("select count(*) from audit_entry where resource_type = 'PortalCase' and resource_id = ? and action = 'create' and actor_roles = 'PATIENT'")
                .param(Long.toString(caseId)).query(Long.class).single()).as("the case's opening is audited as a change").isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from audit_entry where resource_type = 'PortalCase' and resource_id = ? and action = 'status'")
                .param(Long.toString(caseId)).query(Long.class).single()).isZero();

        BrowserSession officer = BrowserSession.signedIn(port, "security");
        Api.Response queue = officer.page("/security/portal-cases");
        assertThat(queue.body()).contains("id=\"case-" + caseId + "\"").contains("I have never met this doctor")
                .contains("/security/accounts/" + fixtures().staffId("physician") + "/exposure");
        Api.Response closed = officer.pageForm("/security/portal-cases/" + caseId + "/close",
                Map.of("outcome", "LEGITIMATE", "note", "Dr Martin is on your care team since yesterday"), true);
        assertThat(closed.status()).isEqualTo(302);
        assertThat(jdbc.sql("select count(*) from audit_entry where resource_type = 'PortalCase' and resource_id = ? and action = 'status' and actor_username = 'security'")
                .param(Long.toString(caseId)).query(Long.class).single()).as("the officer's close is audited").isEqualTo(1);
        assertThat(patient.page("/portal/cases").body()).contains("The access was part of your care")
                .contains("Dr Martin is on your care team since yesterday");
        assertThat(as("physician").get("/security/portal-cases").status()).as("the officer's queue only").isEqualTo(403);

        // At rest, the patient's note and the officer's answer are sealed with the patient's key (V68, ADR 0053).
        assertThat(jdbc.sql("select c::text from portal_case c where id = ?").param(caseId).query(String.class).single())
                .doesNotContain("never met").doesNotContain("Dr Martin");
        Api.Response asked = as("security").post("/api/patients/" + p.id() + "/erasure", Map.of("ground", "PATIENT_REQUEST"));
        assertThat(as("admin").post("/api/access/erasures/" + asked.json().get("id").asLong() + "/confirm", Map.of()).status())
                .isEqualTo(200);
        Api.Response erased = officer.page("/security/portal-cases?open=false");
        assertThat(erased.status()).as("a shredded patient's case reads as erased").isEqualTo(200);
        String body = erased.body();
        int at = body.indexOf("id=\"case-" + caseId + "\"");
        assertThat(at).as("the case is listed").isNotNegative();
        int next = body.indexOf("id=\"case-", at + 1);
        // this case only: other tests' patients may have written the same words in their own cases
        String thisCase = body.substring(at, next < 0 ? body.length() : next);
        assertThat(thisCase).contains("(erased)").doesNotContain("never met").doesNotContain("Dr Martin");
    }

    @Test
    void aBreakTheGlassAccessIsShownWithItsCodedReasonInPlainWords() {
        Patient p = newPatient();
        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        String doctor = org.dossier.support.Accounts.newStaff(as("admin"), credentials, "PHYSICIAN", 1, fixtures().unit(1, "URG"));
        Api.Response granted = as(doctor).post("/api/patients/" + p.id() + "/break-glass",
                Map.of("reason", "PATIENT_SAFETY", "justification", "suspected interaction reported by the pharmacy"));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(as(doctor).get("/api/patients/" + p.id() + "/chart").status()).isEqualTo(200);
        long seq = jdbc.sql("select max(seq) from audit_entry where patient_id = ? and actor_username = ? and reason_code = 'BREAK_THE_GLASS'")
                .param(p.id()).param(doctor).query(Long.class).single();
        String page = patient.page("/portal/accesses").body();
        int at = page.indexOf("id=\"access-" + seq + "\"");
        assertThat(at).as("the break-the-glass access is listed").isPositive();
        assertThat(page.substring(at, page.indexOf("</article>", at))).contains("BREAK_THE_GLASS").contains("emergency access")
                .contains("a safety concern that could not wait")
                .contains(jdbc.sql("select name from care_unit where facility_id = 1 and code = 'URG'").query(String.class).single());
        assertThat(patient.get("/portal/accesses.csv").body()).contains(seq + ",").contains("\"PATIENT_SAFETY\"");
    }

    @Test
    void flaggingAnEntryThatIsNotAnAccessToOnesOwnRecordOpensNoCase() {
        Patient p = newPatient();
        Patient other = newPatient();
        fixtures().careFor(other.id(), "physician");
        as("physician").get("/api/patients/" + other.id() + "/chart");
        long othersSeq = jdbc.sql("select max(seq) from audit_entry where patient_id = ?").param(other.id()).query(Long.class).single();
        PortalSession patient = PortalSession.enrolled(port, issueCode(p.id()), p.birthDate(), username(), PASSWORD);
        patient.page("/portal/accesses");
        Api.Response r = patient.form("/portal/accesses/flag", Map.of("seq", Long.toString(othersSeq)));
        assertThat(r.header("Location")).endsWith("/portal/accesses");
        assertThat(count("portal_case where patient_id = " + p.id())).isZero();
    }

    static long seqIn(String body) {
        Matcher m = Pattern.compile("id=\"access-(\\d+)\"").matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static String code(String secret, int secondsAhead) {
        return TotpService.codeAt(secret, Instant.now().plusSeconds(secondsAhead));
    }

    Fixtures f() {
        return fixtures();
    }
}
