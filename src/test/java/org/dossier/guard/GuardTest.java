package org.dossier.guard;

import org.dossier.chart.ChartService;
import org.dossier.demo.DemoAccounts;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffStatus;
import org.dossier.platform.AccountFrozenException;
import org.dossier.platform.FacilityScope;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.Fixtures;
import org.dossier.support.GuardedServerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each signal of the guard and each of its responses, at the real thresholds, with fresh accounts. */
class GuardTest extends GuardedServerTest {


    @Autowired
    OrganizationService organization;

    @Autowired
    ChartService charts;




    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void aCanaryInASearchResultFreezesTheAccountAtOnceAndTheOfficerIsAlerted() throws Exception {
        String family = "Canari" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "x");
        long canary = as("frontdesk").post("/api/patients", org.dossier.support.PatientJson.reviewed(1,
                org.dossier.support.PatientJson.provisional(family, "Albane", "1961-02-03", "F"))).json().get("id").asLong();
        assertThat(as("security").post("/api/guard/canaries", Map.of("patientId", canary)).status()).isEqualTo(204);

        String desk = newAccount("FRONT_DESK", null);
        Api api = stolen(desk);
        Api.Response search = api.get("/api/patients?name=" + family + "&given=alb");
        assertThat(search.status()).isEqualTo(403);
        assertThat(search.json().get("type").asString()).endsWith("account-frozen");
        assertThat(search.body()).doesNotContain(family);
        assertThat(status(desk)).isEqualTo("FROZEN");
        assertThat(api.get("/api/me").status()).as("every token of the account is revoked").isEqualTo(401);

        JsonNode alerts = as("security").get("/api/guard/alerts").json();
        JsonNode alert = alerts.valueStream().filter(a -> a.get("username").asString().equals(desk)).findFirst().orElseThrow();
        assertThat(alert.get("signal").asString()).isEqualTo("CANARY");
        assertThat(alert.get("evidence").asString()).contains(Long.toString(canary));
        awaitTrue(() -> WEBHOOK.stream().anyMatch(b -> b.contains(desk) && b.contains("CANARY")));
        assertThat(WEBHOOK).anyMatch(b -> b.contains(desk) && b.contains("CANARY"));
        awaitTrue(() -> SYSLOG.stream().anyMatch(m -> m.contains("GUARD:FREEZE") && m.contains(desk)));
        assertThat(SYSLOG).anyMatch(m -> m.contains("GUARD:FREEZE") && m.contains(desk));
        assertThat(as("physician").get("/api/guard/alerts").status()).isEqualTo(403);
    }

    @Test
    void aClinicianProbingUnrelatedPatientsIsFrozenWithinFiveRefusalsAndTwoSeconds() {
        Fixtures f = fixtures();
        List<Long> strangers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            strangers.add(f.patient());
        }
        String doctor = newAccount("PHYSICIAN", "GER");
        Api api = stolen(doctor);
        long start = System.nanoTime();
        int requests = 0;
        String lastType = "";
        for (long patient : strangers) {
            Api.Response r = api.get("/api/patients/" + patient + "/chart");
            requests++;
            assertThat(r.status()).isIn(403, 401);
            if (r.status() == 403 && r.json().get("type").asString().endsWith("account-frozen")) {
                lastType = "frozen";
                break;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(lastType).isEqualTo("frozen");
        assertThat(requests).isLessThanOrEqualTo(5);
        assertThat(millis).as("time to freeze").isLessThan(2_000);
        assertThat(status(doctor)).isEqualTo("FROZEN");
    }

    @Test
    void walkingIdentifiersFreezesEvenTheFrontDeskWhoMayReadThem() {
        Fixtures f = fixtures();
        long first = f.patient();
        for (int i = 0; i < 6; i++) {
            f.patient();
        }
        String desk = newAccount("FRONT_DESK", null);
        Api api = stolen(desk);
        int served = 0;
        for (long id = first; id < first + 7; id++) {
            Api.Response r = api.get("/api/patients/" + id);
            if (r.status() != 200) {
                assertThat(r.json().get("type").asString()).endsWith("account-frozen");
                break;
            }
            served++;
        }
        assertThat(served).as("records served before the freeze").isLessThanOrEqualTo(4);
        assertThat(status(desk)).isEqualTo("FROZEN");
    }

    @Test
    void aBroadSearchOfUnrelatedPatientsByAClinicianFreezesBeforeAnyResultLeaves() {
        Fixtures f = fixtures();
        for (int i = 0; i < 21; i++) {
            f.patient();
        }
        String doctor = newAccount("PHYSICIAN", "GER");
        Api.Response r = stolen(doctor).get("/api/patients?name=fixture&given=test");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).doesNotContain("Fixture");
        assertThat(status(doctor)).isEqualTo("FROZEN");
    }

    @Test
    void unusuallyManyUnrelatedSearchResultsAskForAStepUpThatATokenCannotGiveButASessionCan() {
        Fixtures f = fixtures();
        List<String> ipps = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ipps.add(identity(f.patient()).ipp());
        }
        String doctor = newAccount("PHYSICIAN", "GER");
        Api token = stolen(doctor);
        for (int i = 0; i < 8; i++) {
            assertThat(token.get("/api/patients?ipp=" + ipps.get(i)).status()).as("search " + i).isEqualTo(200);
        }
        Api.Response ninth = token.get("/api/patients?ipp=" + ipps.get(8));
        assertThat(ninth.status()).isEqualTo(403);
        assertThat(ninth.json().get("type").asString()).endsWith("step-up-required");
        assertThat(ninth.json().get("detail").asString()).contains("API token");

        BrowserSession browser = BrowserSession.signedIn(port, doctor);
        Api.Response withoutReason = browser.get("/api/patients?ipp=" + ipps.get(8));
        assertThat(withoutReason.status()).isEqualTo(403);
        assertThat(withoutReason.json().get("detail").asString()).contains("X-Dossier-Reason");
        Api.Response reasonAlone = browser.get("/api/patients?ipp=" + ipps.get(8), "X-Dossier-Reason", "new patient referred by phone");
        assertThat(reasonAlone.status()).as("the sign-in's second factor predates the question: a reason alone never answers it")
                .isEqualTo(403);
        assertThat(reasonAlone.json().get("type").asString()).endsWith("step-up-required");
        // A code of a time step not used yet (the token and the sign-in used theirs): the next one.
        try {
            Thread.sleep(30_000 - System.currentTimeMillis() % 30_000 + 200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Api.Response proven = browser.post("/api/auth/step-up", Map.of("code", BrowserSession.code(doctor, 30)));
        assertThat(proven.status()).as(proven.toString()).isEqualTo(204);
        Api.Response confirmed = browser.get("/api/patients?ipp=" + ipps.get(8), "X-Dossier-Reason", "new patient referred by phone");
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from guard_alert where username = ? and response = 'STEP_UP' and severity in ('LOW', 'MEDIUM')")
                .param(doctor).query(Long.class).single()).as("every step-up asked is an alert").isPositive();
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = ? and detail like '%new patient referred by phone%'")
                .param(doctor).query(Long.class).single()).isPositive();
        assertThat(status(doctor)).isEqualTo("ACTIVE");
    }

    @Test
    void onlyASecurityOfficerWithAFreshSecondFactorUnfreezesAndCountingRestarts() {
        String doctor = newAccount("PHYSICIAN", "GER");
        Fixtures f = fixtures();
        Api thief = stolen(doctor);
        for (int i = 0; i < 5; i++) {
            thief.get("/api/patients/" + f.patient() + "/chart");
        }
        assertThat(status(doctor)).isEqualTo("FROZEN");
        long id = f.staffId(doctor);
        assertThat(as("security").get("/api/guard/frozen").body()).contains(doctor);

        String stale = Api.fetchToken(port, "security", DemoAccounts.PASSWORD);
        jdbc.sql("update api_token set issued_at = now() - interval '10 minutes' where token_hash = encode(sha256(convert_to(?, 'UTF8')), 'hex')")
                .param(stale).update();
        heardByTheServer();
        Api.Response refused = anonymous().withBearer(stale).post("/api/guard/accounts/" + id + "/unfreeze", Map.of("reason", "checked"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("type").asString()).endsWith("step-up-required");
        assertThat(as("admin").post("/api/guard/accounts/" + id + "/unfreeze", Map.of("reason", "checked")).status()).isEqualTo(403);
        assertThat(status(doctor)).isEqualTo("FROZEN");

        Api.Response unfrozen = as("security").post("/api/guard/accounts/" + id + "/unfreeze", Map.of("reason", "the doctor was testing"));
        assertThat(unfrozen.status()).as(unfrozen.toString()).isEqualTo(200);
        assertThat(status(doctor)).isEqualTo("ACTIVE");
        assertThat(count("audit_entry where action = 'GUARD:UNFREEZE' and detail like '" + doctor + "%'")).isEqualTo(1);
        assertThat(as(doctor).get("/api/me").status()).as("signs in again, counting afresh").isEqualTo(200);
        assertThat(as(doctor).get("/api/patients/" + f.patient() + "/chart").status()).isEqualTo(403);
        assertThat(status(doctor)).isEqualTo("ACTIVE");
    }

    @Test
    void aFreezeStopsARequestAlreadyUnderWay() {
        Fixtures f = fixtures();
        long patient = f.patient();
        String doctor = newAccount("PHYSICIAN", "GER");
        f.careFor(patient, doctor);
        // The request has authenticated and resolved its actor…
        Actor actor = Actor.of(organization.staffByUsername(doctor).orElseThrow(), "token:in-flight", "10.1.2.3", "test",
                Actor.Channel.TOKEN, null);
        FacilityScope.set(actor.facilityIds());
        try {
            assertThat(charts.summary(actor, patient).accessReason()).isEqualTo("CARE_TEAM");
            // …then another node freezes the account (the shared database is all they have in common)…
            organization.setStatusBySystem(actor.staffId(), StaffStatus.FROZEN, null, "frozen by another node");
            // …and nothing more leaves for that request.
            assertThatThrownBy(() -> charts.summary(actor, patient)).isInstanceOf(AccountFrozenException.class);
        } finally {
            FacilityScope.clear();
        }
    }

    @Test
    void aSweepOfSearchesThatFindNobodyIsStillASweep() {
        String doctor = newAccount("NURSE", "GER");
        Api thief = stolen(doctor);
        int requests = 0;
        for (int day = 1; day <= 60; day++) {
            Api.Response r = thief.get("/api/patients?name=zzq&birthDate=1950-01-" + String.format("%02d", 1 + day % 28));
            requests++;
            if (r.status() != 200) {
                assertThat(r.json().get("type").asString()).endsWith("account-frozen");
                break;
            }
        }
        assertThat(requests).isLessThanOrEqualTo(31);
        assertThat(status(doctor)).isEqualTo("FROZEN");
    }

    @Test
    void aSessionUsedFromASecondAddressMustConfirmItIsTheSamePerson() {
        Fixtures f = fixtures();
        long patient = f.patient();
        String doctor = newAccount("PHYSICIAN", "GER");
        f.careFor(patient, doctor);
        var member = organization.staffByUsername(doctor).orElseThrow();
        java.time.Instant longAgo = java.time.Instant.now().minus(Duration.ofHours(1));
        Actor atWork = Actor.of(member, "session:stolen-cookie", "10.0.0.7", "Firefox", Actor.Channel.SESSION, longAgo);
        Actor elsewhere = Actor.of(member, "session:stolen-cookie", "203.0.113.9", "curl", Actor.Channel.SESSION, longAgo);
        FacilityScope.set(atWork.facilityIds());
        try {
            assertThat(charts.summary(atWork, patient).accessReason()).isEqualTo("CARE_TEAM");
            assertThatThrownBy(() -> charts.summary(elsewhere, patient)).isInstanceOf(org.dossier.platform.StepUpRequiredException.class)
                    .hasMessageContaining("another address");
            assertThat(charts.summary(atWork, patient).accessReason()).as("the first address goes on working").isEqualTo("CARE_TEAM");
        } finally {
            FacilityScope.clear();
        }
    }

    @Test
    void theCandidatesOfADuplicateCheckAreChargedLikeSearchResults() {
        Map<String, Object> person = org.dossier.support.PatientJson.provisional("Doublon", "Denise", "1971-05-06", "F");
        long existing = as("frontdesk").post("/api/patients", org.dossier.support.PatientJson.reviewed(1, person)).json().get("id").asLong();
        String desk = newAccount("FRONT_DESK", null);
        Api.Response check = stolen(desk).post("/api/patients/duplicate-check", Map.of("facilityId", 1, "patient", person));
        assertThat(check.status()).as(check.toString()).isEqualTo(200);
        assertThat(check.json().valueStream().anyMatch(c -> c.get("id").asLong() == existing)).isTrue();
        assertThat(jdbc.sql("""
                        select count(*) from guard_touch t join staff s on s.id = t.staff_id
                         where s.username = ? and t.patient_id = ? and t.unexplained""")
                .param(desk).param(existing).query(Long.class).single()).isEqualTo(1);
        assertThat(count("audit_entry where actor_username = '" + desk + "' and patient_id = " + existing + " and action = 'search'"))
                .isEqualTo(1);
    }
}
