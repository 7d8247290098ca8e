package org.dossier.guard;

import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.GuardedServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Containment, second pass (issue 16, ADR 0018), at the guard's real thresholds with fresh accounts: what explains an
 * access is the account's work of the day; everything else counts against tight budgets; even explained records are
 * read at a human pace; every answer that names a patient is charged. Each rule: the attack refused and audited, and
 * the work that must go on.
 */
class WorkOfTheDayTest extends GuardedServerTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");





    private Boolean unexplained(String username, long patient) {
        return jdbc.sql("select t.unexplained from guard_touch t join staff s on s.id = t.staff_id where s.username = ? and t.patient_id = ?")
                .param(username).param(patient).query(Boolean.class).optional().orElse(null);
    }

    private List<String> reasons(String username, long patient) {
        return jdbc.sql("select reason_code from audit_entry where actor_username = ? and patient_id = ? order by seq")
                .param(username).param(patient).query(String.class).list();
    }

    @Test
    void harvestingOnesOwnPatientsFasterThanAnyoneReadsIsStoppedBeforeTwentyFiveCharts() {
        Fixtures f = fixtures();
        String doctor = newAccount("PHYSICIAN", "GER");
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long p = f.patient();
            f.careFor(p, doctor);
            mine.add(p);
        }
        Api thief = stolen(doctor);
        int charts = 0;
        for (long p : mine) {
            if (thief.get("/api/patients/" + p + "/chart").status() == 200) {
                charts++;
            }
        }
        assertThat(charts).as("charts of its own patients read before the pace stopped it").isLessThan(25).isGreaterThan(0);
        assertThat(status(doctor)).isEqualTo("FROZEN");
        assertThat(count("audit_entry where actor_username = '" + doctor + "' and reason_code = 'GUARD_STEP_UP' and detail like 'PACE%'"))
                .as("the pace's step-up is in the trail").isPositive();
    }

    @Test
    void aClinicianReadingHerPatientsAtTheRoundsPaceIsNotStopped() {
        Fixtures f = fixtures();
        String nurse = newAccount("NURSE", "GER");
        Api work = stolen(nurse);
        for (int i = 0; i < 8; i++) {
            long p = f.patient();
            f.careFor(p, nurse);
            Api.Response chart = work.get("/api/patients/" + p + "/chart");
            assertThat(chart.status()).as("chart " + i + ": " + chart).isEqualTo(200);
        }
        assertThat(status(nurse)).isEqualTo("ACTIVE");
    }

    @Test
    void inTheBrowserOnlyACodeTypedAfterTheGuardsQuestionAnswersItWithTheReasonKeptAndEachQuestionIsAnAlert() throws Exception {
        Fixtures f = fixtures();
        String nurse = newAccount("NURSE", "GER");
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            long p = f.patient();
            f.careFor(p, nurse);
            mine.add(p);
        }
        org.dossier.support.BrowserSession browser = org.dossier.support.BrowserSession.signedIn(port, nurse);
        for (int i = 0; i < 8; i++) {
            assertThat(browser.page("/patients/" + mine.get(i)).status()).as("chart " + i + " at the round's pace").isEqualTo(200);
        }
        String ninth = "/patients/" + mine.get(8);
        Api.Response asked = browser.page(ninth);
        assertThat(asked.status()).as("the ninth chart in a minute: the pace asks").isEqualTo(403);
        assertThat(asked.body()).contains("step-up-code").contains("step-up-reason");
        assertThat(browser.page(ninth).status()).as("the sign-in's code does not answer a later question").isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from guard_alert where username = ? and response = 'STEP_UP' and signal = 'PACE'")
                .param(nurse).query(Long.class).single()).as("one question, one alert, however often it is asked again").isEqualTo(1);

        Thread.sleep(30_000 - System.currentTimeMillis() % 30_000 + 200); // a time step the sign-in did not use
        Api.Response confirmed = browser.pageForm("/step-up", Map.of("code", org.dossier.support.BrowserSession.code(nurse, 30),
                "reason", "morning round, bed 12 worsening", "next", ninth), true);
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(302);
        Api.Response answered = browser.page(ninth);
        assertThat(answered.status()).as("answered by a code typed after the question, with a reason").isEqualTo(200);
        assertThat(count("audit_entry where actor_username = '" + nurse + "' and patient_id = " + mine.get(8)
                + " and decision = 'ALLOW' and detail like '%morning round, bed 12 worsening%'")).isPositive();
        assertThat(status(nurse)).isEqualTo("ACTIVE");
        assertThat(WEBHOOK).anyMatch(body -> body.contains("\"STEP_UP\"") && body.contains(nurse));
    }

    @Test
    void repeatedQuestionsToOneAccountRaiseTheAlertsSeverity() {
        Fixtures f = fixtures();
        List<String> ipps = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ipps.add(identity(f.patient()).ipp());
        }
        String doctor = newAccount("PHYSICIAN", "GER");
        // Three tokens, each asked once (a token's question is its own): the third question raises the severity.
        Api first = stolen(doctor);
        for (int i = 0; i < 8; i++) {
            assertThat(first.get("/api/patients?ipp=" + ipps.get(i)).status()).isEqualTo(200);
        }
        assertThat(first.get("/api/patients?ipp=" + ipps.get(8)).status()).isEqualTo(403);
        assertThat(stolen(doctor).get("/api/patients?ipp=" + ipps.get(9)).status()).isEqualTo(403);
        assertThat(stolen(doctor).get("/api/patients?ipp=" + ipps.get(10)).status()).isEqualTo(403);
        List<String> severities = jdbc.sql("select severity from guard_alert where username = ? and response = 'STEP_UP' order by id")
                .param(doctor).query(String.class).list();
        assertThat(severities).hasSizeGreaterThanOrEqualTo(3);
        assertThat(severities.get(0)).isEqualTo("LOW");
        assertThat(severities.get(2)).isEqualTo("MEDIUM");
    }

    @Test
    void listsBeyondAnHoursWorkAreRefusedEvenWhenEveryNameIsExplained() {
        String desk = newAccount("FRONT_DESK", null);
        long staff = fixtures().staffId(desk);
        Api token = stolen(desk);
        Api.Response census = token.get("/api/inpatients?unitId=" + fixtures().unit(1, "CARDIO"));
        assertThat(census.status()).as("a census, within the hour's volume").isEqualTo(200);
        assertThat(census.json().size()).isPositive();
        // The desk has just been shown 300 other patients by its lists (as a harvest of every agenda of the day would):
        jdbc.sql("""
                select 1 from guard_charge(?, null, null, now(), array(select generate_series(900000000, 900000299))::bigint[],
                       array_fill(1, array[300]), array_fill(false, array[300]), -1, now() - interval '1 minute',
                       now() - interval '1 hour', now() - interval '1 day', now() - interval '30 days', 'LIST', now() - interval '10 minutes')""")
                .param(staff).query(Integer.class).single();
        Api.Response more = token.get("/api/inpatients?unitId=" + fixtures().unit(1, "CARDIO"));
        assertThat(more.status()).as("one list more: more patients in an hour than any work list holds").isEqualTo(403);
        assertThat(more.json().get("type").asString()).endsWith("step-up-required");
        assertThat(count("audit_entry where actor_username = '" + desk + "' and reason_code = 'GUARD_STEP_UP' and detail like 'VOLUME%'"))
                .isEqualTo(1);
    }

    @Test
    void anAdministratorsTokenProbingPatientsIsFrozenLikeAnyOtherWhileItsOwnWorkGoesOn() {
        String admin = newAccount("ADMIN", null);
        Api token = stolen(admin);
        assertThat(token.get("/api/staff?q=martin").status()).as("an administrator's own work").isEqualTo(200);
        int requests = 0;
        for (String probe : List.of("/api/patients?name=mar&given=cla", "/api/inpatients?unitId=" + fixtures().unit(1, "CARDIO"),
                "/api/patients?name=dur&given=jea", "/api/patients/1/my-relationship", "/api/patients?name=ber&given=mar",
                "/api/patients?name=pet&given=luc")) {
            requests++;
            Api.Response r = token.get(probe);
            assertThat(r.status()).as(probe).isEqualTo(403);
            if (r.json().get("type").asString().endsWith("account-frozen")) {
                break;
            }
        }
        assertThat(requests).as("refused patient requests before the freeze").isLessThanOrEqualTo(5);
        assertThat(status(admin)).isEqualTo("FROZEN");
        assertThat(count("audit_entry where actor_username = '" + admin + "' and decision = 'DENY' and reason_code = 'ROLE'"))
                .isGreaterThanOrEqualTo(4);
    }

    @Test
    void theFrontDeskIsExplainedByTodaysStaysAndItsOwnWorkAndCountedOutsideIt() {
        Fixtures f = fixtures();
        String desk = newAccount("FRONT_DESK", null);
        long admittedToday = f.patient();
        Api.Response stay = as("frontdesk").post("/api/stays", Map.of("patientId", admittedToday, "unitId", f.unit(1, "CARDIO"),
                "attendingId", f.staffId("physician"), "admittedAt", Instant.now().minus(1, ChronoUnit.HOURS).toString(), "reason", "chest pain"));
        assertThat(stay.status()).as(stay.toString()).isEqualTo(201);
        long notToday = f.patient();

        Api token = stolen(desk);
        assertThat(token.get("/api/patients/" + admittedToday).status()).isEqualTo(200);
        assertThat(token.get("/api/patients/" + notToday).status()).isEqualTo(200);

        assertThat(unexplained(desk, admittedToday)).as("a stay today is the desk's work").isFalse();
        assertThat(reasons(desk, admittedToday)).containsExactly("STAY_TODAY");
        assertThat(unexplained(desk, notToday)).as("nothing today explains the other").isTrue();
        assertThat(reasons(desk, notToday)).containsExactly("FRONT_DESK");
    }

    @Test
    void aStolenFrontDeskLoginIsFrozenBeforeTwentyFivePatientsOutsideItsWork() {
        Fixtures f = fixtures();
        List<Long> strangers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            strangers.add(f.patient());
        }
        String desk = newAccount("FRONT_DESK", null);
        Api thief = stolen(desk);
        int shown = 0;
        for (long p : strangers) {
            if (thief.get("/api/patients/" + p).status() == 200) {
                shown++;
            }
        }
        assertThat(shown).as("patients outside today's work shown").isLessThanOrEqualTo(8);
        assertThat(status(desk)).isEqualTo("FROZEN");
    }

    @Test
    void anAgendaNamesOnlyThePatientsOfTheWorkOfTheDayAndChargesThem() {
        Fixtures f = fixtures();
        long doctor = f.physician("CONSULT");
        LocalDate later = LocalDate.now(PARIS).plusDays(10).with(TemporalAdjusters.nextOrSame(DayOfWeek.TUESDAY));
        Api.Response schedule = as("frontdesk").post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"),
                "weekday", "TUESDAY", "startTime", "09:00", "endTime", "10:00", "slotMinutes", 30));
        assertThat(schedule.status()).as(schedule.toString()).isEqualTo(201);
        long patient = f.patient();
        Instant start = later.atTime(LocalTime.of(9, 30)).atZone(PARIS).toInstant();
        Api.Response booked = as("frontdesk").post("/api/appointments", Map.of("patientId", patient, "practitionerId", doctor,
                "startAt", start.toString(), "reason", "cardiac follow-up"));
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);

        String desk = newAccount("FRONT_DESK", null);
        Api.Response agenda = stolen(desk).get("/api/practitioners/" + doctor + "/appointments?from=" + later + "&to=" + later);
        assertThat(agenda.status()).as(agenda.toString()).isEqualTo(200);
        JsonNode slot = agenda.json().get(0);
        assertThat(slot.get("patientId").asLong()).as("a booked slot, not a patient").isZero();
        assertThat(slot.get("reason").isNull()).isTrue();
        assertThat(agenda.body()).doesNotContain(Long.toString(patient)).doesNotContain("cardiac follow-up");
        assertThat(reasons(desk, patient)).as("nothing of the patient was shown").isEmpty();

        // The desk that booked it sees it named: booking is its own work.
        Api.Response own = as("frontdesk").get("/api/practitioners/" + doctor + "/appointments?from=" + later + "&to=" + later);
        assertThat(own.json().get(0).get("patientId").asLong()).isEqualTo(patient);
    }

    @Test
    void askingForOnesRelationshipWithAPatientIsAuditedAndCharged() {
        Fixtures f = fixtures();
        long stranger = f.patient();
        long mine = f.patient();
        String doctor = newAccount("PHYSICIAN", "GER");
        f.careFor(mine, doctor);
        Api token = stolen(doctor);

        Api.Response none = token.get("/api/patients/" + stranger + "/my-relationship");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().get("related").asBoolean()).isFalse();
        assertThat(reasons(doctor, stranger)).containsExactly("NO_LINK");
        assertThat(unexplained(doctor, stranger)).isTrue();

        Api.Response related = token.get("/api/patients/" + mine + "/my-relationship");
        assertThat(related.json().get("reason").asString()).isEqualTo("CARE_TEAM");
        assertThat(reasons(doctor, mine)).containsExactly("CARE_TEAM");
        assertThat(unexplained(doctor, mine)).isFalse();
    }

    @Test
    void claimsOutsideTheQueueAreListedWithoutTheirBeneficiary() {
        String clerk = newAccount("BILLING", null);
        Api token = stolen(clerk);
        LocalDate today = LocalDate.now(PARIS);
        java.sql.Timestamp from = java.sql.Timestamp.from(today.minusDays(1).atStartOfDay(PARIS).toInstant());
        java.sql.Timestamp to = java.sql.Timestamp.from(today.plusDays(2).atStartOfDay(PARIS).toInstant());
        for (String status : List.of("ACCEPTED", "SENT", "TO_SEND", "REJECTED")) {
            Api.Response claims = token.get("/api/claims?status=" + status);
            assertThat(claims.status()).as(claims.toString()).isEqualTo(200);
            for (JsonNode c : claims.json()) {
                long claimId = c.get("id").asLong();
                long patient = jdbc.sql("select patient_id from claim where id = ?").param(claimId).query(Long.class).single();
                boolean work = jdbc.sql("select desk_work(cast('{}' as int[]), cast('{1}' as int[]), true, ?, ?, ?) is not null")
                        .param(patient).param(from).param(to).query(Boolean.class).single();
                assertThat(c.get("patientId").asLong()).as(status + " claim " + claimId + " names its patient only in the queue")
                        .isEqualTo(work ? patient : 0);
                if (!work) {
                    assertThat(c.get("beneficiaryNir").isNull()).isTrue();
                }
            }
        }
        long unexplainedTouches = jdbc.sql("select count(*) from guard_touch t join staff s on s.id = t.staff_id where s.username = ? and t.unexplained")
                .param(clerk).query(Long.class).single();
        assertThat(unexplainedTouches).as("the lists named only explained patients").isZero();
        assertThat(count("audit_entry where actor_username = '" + clerk + "' and action = 'list' and reason_code = 'OUTSIDE_WORK'"))
                .isZero();
        assertThat(status(clerk)).isEqualTo("ACTIVE");
    }
}
