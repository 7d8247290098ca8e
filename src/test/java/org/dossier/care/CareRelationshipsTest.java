package org.dossier.care;

import org.dossier.platform.FacilityScope;
import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Each relationship that explains an access, and its absence. */
class CareRelationshipsTest extends IntegrationTest {

    @Autowired
    CareRelationships relationships;

    private Optional<RelationshipReason> reason(long staff, Set<Integer> units, long patient, Instant at) {
        // In-process, outside any request: the server's own scope over every facility.
        return FacilityScope.asSystem(() -> relationships.between(staff, units, patient, at).map(CareRelationship::reason));
    }

    @Test
    void noRelationshipMeansNoReason() {
        Fixtures f = fixtures();
        long patient = f.patient();
        assertThat(reason(f.staffId("physician"), Set.of(f.unit(1, "CARDIO")), patient, Instant.now())).isEmpty();
    }

    @Test
    void aStayExplainsAccessForTheAttendingAndTheUnitThenForAWhileAfterDischarge() {
        Fixtures f = fixtures();
        long patient = f.patient();
        long doctor = f.physician("CONSULT");
        int cardio = f.unit(1, "CARDIO");
        Instant admitted = Instant.now().minus(2, ChronoUnit.HOURS);
        long stay = as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", cardio, "attendingId", doctor,
                "admittedAt", admitted.toString(), "reason", "heart failure")).json().get("id").asLong();

        assertThat(reason(doctor, Set.of(f.unit(1, "CONSULT")), patient, Instant.now())).contains(RelationshipReason.ATTENDING);
        assertThat(reason(f.staffId("nurse"), Set.of(cardio), patient, Instant.now())).contains(RelationshipReason.CURRENT_STAY_IN_UNIT);
        assertThat(reason(f.staffId("nurse"), Set.of(cardio), patient, admitted.minusSeconds(60))).as("before the stay").isEmpty();
        assertThat(reason(f.staffId("nurse"), Set.of(f.unit(1, "PNEUMO")), patient, Instant.now())).as("another unit").isEmpty();

        as("frontdesk").post("/api/stays/" + stay + "/discharge", Map.of("version", 1, "reason", "home"));
        assertThat(reason(f.staffId("nurse"), Set.of(cardio), patient, Instant.now())).contains(RelationshipReason.RECENT_DISCHARGE);
        assertThat(reason(doctor, Set.of(), patient, Instant.now())).contains(RelationshipReason.RECENT_DISCHARGE);
        assertThat(reason(f.staffId("nurse"), Set.of(cardio), patient, Instant.now().plus(Duration.ofDays(3))))
                .as("days after discharge: no longer the work of the day (ADR 0018)").isEmpty();
    }

    @Test
    void careTeamMembershipExplainsAccessDuringItsPeriod() {
        Fixtures f = fixtures();
        long patient = f.patientInCare();
        long dietitian = f.physician("GER");
        Instant end = Instant.now().plus(10, ChronoUnit.DAYS);
        Api.Response added = as("physician").post("/api/patients/" + patient + "/care-team",
                Map.of("staffId", dietitian, "role", "nutrition follow-up", "to", end.toString()));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(reason(dietitian, Set.of(), patient, Instant.now())).contains(RelationshipReason.CARE_TEAM);
        assertThat(reason(dietitian, Set.of(), patient, end.plusSeconds(1))).isEmpty();

        long member = added.json().get("id").asLong();
        assertThat(as("physician").post("/api/care-team/" + member + "/end", Map.of("version", 1, "reason", "done")).status()).isEqualTo(200);
        assertThat(reason(dietitian, Set.of(), patient, Instant.now().plusSeconds(1))).isEmpty();
    }

    @Test
    void anAppointmentExplainsAccessAroundItsDate() {
        Fixtures f = fixtures();
        long patient = f.patient();
        long doctor = f.physician("CONSULT");
        ZoneId paris = ZoneId.of("Europe/Paris");
        LocalDate monday = LocalDate.now(paris).with(TemporalAdjusters.next(DayOfWeek.MONDAY));
        as("frontdesk").post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"), "weekday", "MONDAY",
                "startTime", "14:00", "endTime", "16:00", "slotMinutes", 30));
        Instant start = monday.atTime(LocalTime.of(14, 30)).atZone(paris).toInstant();
        Api.Response booked = as("frontdesk").post("/api/appointments", Map.of("patientId", patient, "practitionerId", doctor,
                "startAt", start.toString(), "reason", "first visit"));
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);

        assertThat(reason(doctor, Set.of(), patient, start)).contains(RelationshipReason.APPOINTMENT);
        assertThat(reason(doctor, Set.of(), patient, start.minus(Duration.ofDays(1)))).as("the day before: preparing the visit")
                .contains(RelationshipReason.APPOINTMENT);
        assertThat(reason(doctor, Set.of(), patient, start.plus(Duration.ofDays(1)))).as("the day after: the letter")
                .contains(RelationshipReason.APPOINTMENT);
        // Not a month back and forward any more (ADR 0018): only from yesterday to tomorrow.
        assertThat(reason(doctor, Set.of(), patient, start.plus(Duration.ofDays(3)))).isEmpty();
        assertThat(reason(doctor, Set.of(), patient, start.minus(Duration.ofDays(3)))).isEmpty();
        assertThat(reason(f.staffId("physician"), Set.of(f.unit(1, "CONSULT")), patient, Instant.now()))
                .as("another physician of the same clinic").isEmpty();
    }

    @Test
    void aReferralToAUnitExplainsAccessForThatUnitsStaff() {
        Fixtures f = fixtures();
        long patient = f.patientInCare();
        int pneumo = f.unit(1, "PNEUMO");
        Api.Response referral = as("physician").post("/api/referrals", Map.of("patientId", patient, "toUnitId", pneumo,
                "reason", "dyspnoea work-up"));
        assertThat(referral.status()).as(referral.toString()).isEqualTo(201);
        long pneumologist = f.physician("PNEUMO");
        assertThat(reason(pneumologist, Set.of(pneumo), patient, Instant.now())).contains(RelationshipReason.REFERRAL);
        assertThat(reason(pneumologist, Set.of(pneumo), patient, Instant.now().plus(CareTeamService.DEFAULT_REFERRAL).plusSeconds(60))).isEmpty();

        long id = referral.json().get("id").asLong();
        assertThat(as("physician").post("/api/referrals/" + id + "/cancel", Map.of("version", 1, "reason", "not needed")).status()).isEqualTo(200);
        assertThat(reason(pneumologist, Set.of(pneumo), patient, Instant.now())).isEmpty();
    }

    @Test
    void theStrongestReasonWins() {
        Fixtures f = fixtures();
        long patient = f.patient();
        int cardio = f.unit(1, "CARDIO");
        as("frontdesk").post("/api/stays", Map.of("patientId", patient, "unitId", cardio, "attendingId", f.staffId("physician"),
                "reason", "syncope"));
        as("nurse").post("/api/patients/" + patient + "/care-team", Map.of("staffId", f.staffId("physician"), "role", "cardiologist"));
        assertThat(reason(f.staffId("physician"), Set.of(cardio), patient, Instant.now())).contains(RelationshipReason.ATTENDING);
    }

    @Test
    void badCareTeamAndReferralRequestsAreRefused() {
        Fixtures f = fixtures();
        long patient = f.patientInCare();
        Api doc = as("physician");
        assertThat(doc.post("/api/patients/" + patient + "/care-team", Map.of("staffId", f.staffId("physician.sud"), "role", "x")).status())
                .as("a clinician of another facility").isEqualTo(422);
        assertThat(doc.post("/api/patients/" + patient + "/care-team", Map.of("staffId", f.staffId("nurse"))).status()).isEqualTo(422);
        assertThat(doc.post("/api/referrals", Map.of("patientId", patient, "reason", "x")).status()).isEqualTo(422);
        assertThat(doc.post("/api/referrals", Map.of("patientId", patient, "toStaffId", f.staffId("physician"), "reason", "x")).status())
                .as("to oneself").isEqualTo(422);
        assertThat(as("nurse").post("/api/referrals", Map.of("patientId", patient, "toUnitId", f.unit(1, "PNEUMO"), "reason", "x")).status())
                .isEqualTo(403);
        assertThat(count("referral where patient_id = " + patient)).isZero();
    }
}
