package org.dossier.care;

import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulingTest extends IntegrationTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final LocalDate NEXT_MONDAY = LocalDate.now(PARIS).with(TemporalAdjusters.next(DayOfWeek.MONDAY));

    private long practitionerWithMondayClinic(Fixtures f) {
        long doctor = f.physician("CONSULT");
        Api.Response s = as("frontdesk").post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"),
                "weekday", "MONDAY", "startTime", "09:00", "endTime", "12:00", "slotMinutes", 20));
        assertThat(s.status()).as(s.toString()).isEqualTo(201);
        return doctor;
    }

    private static Instant at(LocalTime time) {
        return NEXT_MONDAY.atTime(time).atZone(PARIS).toInstant();
    }

    private static Map<String, Object> booking(long patient, long doctor, Instant start) {
        Map<String, Object> b = new HashMap<>();
        b.put("patientId", patient);
        b.put("practitionerId", doctor);
        b.put("startAt", start.toString());
        b.put("reason", "follow-up");
        return b;
    }

    @Test
    void theScheduleIsCutIntoSlotsAndABookedSlotIsNoLongerFree() {
        Fixtures f = fixtures();
        long doctor = practitionerWithMondayClinic(f);
        long patient = f.patient();
        JsonNode slots = as("frontdesk").get("/api/practitioners/" + doctor + "/slots?date=" + NEXT_MONDAY).json();
        assertThat(slots).hasSize(9);
        assertThat(slots.valueStream().allMatch(s -> s.get("free").asBoolean())).isTrue();

        Api.Response booked = as("frontdesk").post("/api/appointments", booking(patient, doctor, at(LocalTime.of(9, 40))));
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        assertThat(Instant.parse(booked.json().get("endAt").asString())).isEqualTo(at(LocalTime.of(10, 0)));

        JsonNode after = as("frontdesk").get("/api/practitioners/" + doctor + "/slots?date=" + NEXT_MONDAY).json();
        assertThat(after.valueStream().filter(s -> !s.get("free").asBoolean()).count()).isEqualTo(1);
        JsonNode agenda = as("frontdesk").get("/api/practitioners/" + doctor + "/appointments?from=" + NEXT_MONDAY).json();
        assertThat(agenda).hasSize(1);
    }

    @Test
    void doubleBookingOfASlotIsRefused() {
        Fixtures f = fixtures();
        long doctor = practitionerWithMondayClinic(f);
        assertThat(as("frontdesk").post("/api/appointments", booking(f.patient(), doctor, at(LocalTime.of(10, 0)))).status()).isEqualTo(201);
        long before = count("appointment");
        Api.Response second = as("frontdesk").post("/api/appointments", booking(f.patient(), doctor, at(LocalTime.of(10, 0))));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("detail").asString()).contains("already booked");
        assertThat(count("appointment")).isEqualTo(before);
    }

    @Test
    void concurrentBookingsOfOneSlotLetExactlyOneThrough() throws Exception {
        Fixtures f = fixtures();
        long doctor = practitionerWithMondayClinic(f);
        long[] patients = {f.patient(), f.patient(), f.patient(), f.patient()};
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var results = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (long p : patients) {
                results.add(pool.submit(() -> as("frontdesk").post("/api/appointments", booking(p, doctor, at(LocalTime.of(11, 0)))).status()));
            }
            int created = 0;
            int conflicts = 0;
            for (var r : results) {
                int status = r.get();
                created += status == 201 ? 1 : 0;
                conflicts += status == 409 ? 1 : 0;
            }
            assertThat(created).isEqualTo(1);
            assertThat(conflicts).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStartOutsideTheScheduleOrInThePastIsRefused() {
        Fixtures f = fixtures();
        long doctor = practitionerWithMondayClinic(f);
        long patient = f.patient();
        Api desk = as("frontdesk");
        assertField(desk.post("/api/appointments", booking(patient, doctor, at(LocalTime.of(9, 10)))), "startAt");
        assertField(desk.post("/api/appointments", booking(patient, doctor, at(LocalTime.of(14, 0)))), "startAt");
        assertField(desk.post("/api/appointments", booking(patient, doctor, Instant.now().minusSeconds(3600))), "startAt");
        Map<String, Object> noReason = booking(patient, doctor, at(LocalTime.of(9, 0)));
        noReason.put("reason", "");
        assertField(desk.post("/api/appointments", noReason), "reason");
        assertThat(desk.get("/api/practitioners/" + doctor + "/appointments?from=2026-01-01&to=2026-06-01").status()).isEqualTo(422);
    }

    @Test
    void overlappingOpeningHoursAreRefused() {
        Fixtures f = fixtures();
        long doctor = practitionerWithMondayClinic(f);
        Api.Response overlap = as("frontdesk").post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"),
                "weekday", "MONDAY", "startTime", "11:00", "endTime", "13:00", "slotMinutes", 15));
        assertThat(overlap.status()).isEqualTo(409);
        Api.Response bad = as("frontdesk").post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"),
                "weekday", "TUESDAY", "startTime", "13:00", "endTime", "11:00", "slotMinutes", 1));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(as("nurse").post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"),
                "weekday", "FRIDAY", "startTime", "13:00", "endTime", "15:00", "slotMinutes", 15)).status()).isEqualTo(403);
    }

    @Test
    void rescheduleCancelAndNoShowAreStatusChangesThatKeepTheRecord() {
        Fixtures f = fixtures();
        long doctor = practitionerWithMondayClinic(f);
        long patient = f.patient();
        Api desk = as("frontdesk");
        JsonNode first = desk.post("/api/appointments", booking(patient, doctor, at(LocalTime.of(9, 0)))).json();
        JsonNode moved = desk.post("/api/appointments/" + first.get("id").asLong() + "/reschedule",
                Map.of("version", 1, "startAt", at(LocalTime.of(9, 20)).toString(), "reason", "patient asked")).json();
        assertThat(moved.get("rescheduledFrom").asLong()).isEqualTo(first.get("id").asLong());
        assertThat(desk.get("/api/appointments/" + first.get("id").asLong()).json().get("status").asString()).isEqualTo("RESCHEDULED");

        Api.Response noShowTooEarly = desk.post("/api/appointments/" + moved.get("id").asLong() + "/no-show", Map.of("version", 1));
        assertThat(noShowTooEarly.status()).isEqualTo(409);
        JsonNode cancelled = desk.post("/api/appointments/" + moved.get("id").asLong() + "/cancel", Map.of("version", 1, "reason", "hospitalised")).json();
        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(desk.get("/api/appointments/" + moved.get("id").asLong() + "/history").json()).hasSize(2);
        assertThat(desk.post("/api/appointments", booking(f.patient(), doctor, at(LocalTime.of(9, 20)))).status())
                .as("a cancelled slot is free again").isEqualTo(201);
        assertThat(desk.get("/api/patients/" + patient + "/appointments").json()).hasSize(2);
    }

    private static void assertField(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.json().get("errors").valueStream().map(e -> e.get("field").asString())).contains(field);
    }
}
