package org.dossier.care;

import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StayTest extends IntegrationTest {

    static Map<String, Object> admission(long patientId, int unitId, long attendingId) {
        Map<String, Object> a = new HashMap<>();
        a.put("patientId", patientId);
        a.put("kind", "INPATIENT");
        a.put("unitId", unitId);
        a.put("bed", "12A");
        a.put("attendingId", attendingId);
        a.put("admittedAt", Instant.now().minus(2, ChronoUnit.HOURS).toString());
        a.put("reason", "chest pain");
        return a;
    }

    @Test
    void admissionTransferAndDischargeKeepTheWholePathOfTheStay() {
        Fixtures f = fixtures();
        long patient = f.patient();
        Api desk = as("frontdesk");
        JsonNode stay = desk.post("/api/stays", admission(patient, f.unit(1, "URG"), f.staffId("er.physician"))).json();
        long id = stay.get("id").asLong();
        assertThat(stay.get("status").asString()).isEqualTo("ACTIVE");

        JsonNode moved = desk.post("/api/stays/" + id + "/transfer", Map.of("version", 1, "unitId", f.unit(1, "CARDIO"), "bed", "3",
                "attendingId", f.staffId("physician"), "at", Instant.now().minus(1, ChronoUnit.HOURS).toString(),
                "reason", "STEMI, to cardiology")).json();
        assertThat(moved.get("movements")).hasSize(2);
        assertThat(moved.at("/movements/0/toAt").isNull()).isFalse();
        assertThat(moved.at("/movements/1/unitId").asInt()).isEqualTo(f.unit(1, "CARDIO"));
        assertThat(moved.get("attendingId").asLong()).isEqualTo(f.staffId("physician"));

        JsonNode census = as("nurse").get("/api/inpatients").json();
        assertThat(census.valueStream().anyMatch(i -> i.get("patientId").asLong() == patient)).isTrue();

        JsonNode out = desk.post("/api/stays/" + id + "/discharge", Map.of("version", 2, "destination", "home", "reason", "recovered")).json();
        assertThat(out.get("status").asString()).isEqualTo("DISCHARGED");
        assertThat(out.at("/movements/1/toAt").isNull()).isFalse();
        assertThat(as("nurse").get("/api/inpatients").json().valueStream().anyMatch(i -> i.get("patientId").asLong() == patient)).isFalse();
        assertThat(desk.get("/api/stays/" + id + "/history").json()).hasSize(3);
    }

    @Test
    void aSecondStayOverlappingTheFirstIsRefused() {
        Fixtures f = fixtures();
        long patient = f.patient();
        Api desk = as("frontdesk");
        assertThat(desk.post("/api/stays", admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"))).status()).isEqualTo(201);
        long before = count("stay");
        Api.Response again = desk.post("/api/stays", admission(patient, f.unit(1, "PNEUMO"), f.staffId("physician")));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("already has a stay");
        assertThat(count("stay")).isEqualTo(before);
    }

    @Test
    void badAdmissionsAreRefusedWithThePreciseFieldAndWriteNothing() {
        Fixtures f = fixtures();
        long patient = f.patient();
        Api desk = as("frontdesk");
        long stays = count("stay");
        long movements = count("stay_movement");
        Map<String, Object> otherFacility = admission(patient, f.unit(2, "CARDIO"), f.staffId("physician"));
        Map<String, Object> outpatient = admission(patient, f.unit(1, "CONSULT"), f.staffId("physician"));
        Map<String, Object> nurseAttending = admission(patient, f.unit(1, "CARDIO"), f.staffId("nurse"));
        Map<String, Object> future = admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"));
        future.put("admittedAt", Instant.now().plus(2, ChronoUnit.DAYS).toString());
        Map<String, Object> noReason = admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"));
        noReason.put("reason", " ");
        Map<String, Object> emergencyInWard = admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"));
        emergencyInWard.put("kind", "EMERGENCY");
        Map<String, Object> unknownPatient = admission(999_999_999L, f.unit(1, "CARDIO"), f.staffId("physician"));

        assertField(desk.post("/api/stays", otherFacility), "unitId");
        assertField(desk.post("/api/stays", outpatient), "unitId");
        assertField(desk.post("/api/stays", nurseAttending), "attendingId");
        assertField(desk.post("/api/stays", future), "admittedAt");
        assertField(desk.post("/api/stays", noReason), "reason");
        assertField(desk.post("/api/stays", emergencyInWard), "unitId");
        assertThat(desk.post("/api/stays", unknownPatient).status()).isEqualTo(404);
        assertThat(count("stay")).isEqualTo(stays);
        assertThat(count("stay_movement")).isEqualTo(movements);
    }

    @Test
    void dischargeAndTransferRulesAreEnforced() {
        Fixtures f = fixtures();
        long patient = f.patient();
        Api desk = as("frontdesk");
        long id = desk.post("/api/stays", admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"))).json().get("id").asLong();

        assertField(desk.post("/api/stays/" + id + "/discharge", Map.of("version", 1, "reason", "x",
                "at", Instant.now().minus(3, ChronoUnit.HOURS).toString())), "at");
        assertThat(desk.post("/api/stays/" + id + "/discharge", Map.of("reason", "x")).status()).isEqualTo(422);
        assertField(desk.post("/api/stays/" + id + "/transfer", Map.of("version", 1, "unitId", f.unit(1, "CARDIO"), "bed", "12A",
                "reason", "same bed")), "unitId");
        assertThat(desk.post("/api/stays/" + id + "/discharge", Map.of("version", 7, "reason", "stale")).status()).isEqualTo(409);
        assertThat(desk.post("/api/stays/" + id + "/discharge", Map.of("version", 1, "reason", "home")).status()).isEqualTo(200);
        assertThat(desk.post("/api/stays/" + id + "/transfer", Map.of("version", 2, "unitId", f.unit(1, "PNEUMO"),
                "reason", "after discharge")).status()).isEqualTo(409);
    }

    @Test
    void aStayEnteredInErrorIsKeptButNoLongerCounts() {
        Fixtures f = fixtures();
        long patient = f.patient();
        Api desk = as("frontdesk");
        long id = desk.post("/api/stays", admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"))).json().get("id").asLong();
        JsonNode cancelled = desk.post("/api/stays/" + id + "/cancel", Map.of("version", 1, "reason", "wrong patient")).json();
        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(desk.post("/api/stays", admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"))).status()).isEqualTo(201);
        assertThat(desk.get("/api/patients/" + patient + "/stays").json()).hasSize(2);
    }

    @Test
    void anotherFacilityCannotSeeOrMoveTheStay() {
        Fixtures f = fixtures();
        long patient = f.patient();
        long id = as("frontdesk").post("/api/stays", admission(patient, f.unit(1, "CARDIO"), f.staffId("physician"))).json().get("id").asLong();
        assertThat(as("physician.sud").get("/api/stays/" + id).status()).isEqualTo(404);
        assertThat(as("physician.sud").post("/api/stays/" + id + "/discharge", Map.of("version", 1, "reason", "x")).status()).isEqualTo(404);
        assertThat(as("admin").get("/api/stays/" + id).status()).isEqualTo(403);
    }

    private static void assertField(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.json().get("errors").valueStream().map(e -> e.get("field").asString())).contains(field);
    }
}
