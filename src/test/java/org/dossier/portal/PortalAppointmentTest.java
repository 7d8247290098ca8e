package org.dossier.portal;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancelling an appointment from the portal over real HTTP (ADR 0040): the patient's own, booked, at least 24 hours ahead,
 * through the scheduling module's status change, audited as the patient's; another patient's, or a late one, refused.
 */
class PortalAppointmentTest extends IntegrationTest {

    private PortalSession enrolled(long patientId) {
        Api.Response r = as("frontdesk").post("/api/patients/" + patientId + "/portal-code", Map.of());
        String birth = identity(patientId).birthDate().toString();
        return PortalSession.enrolled(port, r.json().get("code").asString(), birth, PortalTest.username(), PortalTest.PASSWORD);
    }

    /** Books the patient a free slot of the physician's, two to nine days ahead. */
    private long book(long patientId) {
        long physician = fixtures().staffId("physician");
        for (int days = 2; days < 10; days++) {
            JsonNode slots = as("frontdesk").get("/api/practitioners/" + physician + "/slots?date=" + LocalDate.now().plusDays(days)).json();
            for (JsonNode slot : slots) {
                if (slot.get("free").asBoolean()) {
                    Api.Response booked = as("frontdesk").post("/api/appointments", Map.of("patientId", patientId, "practitionerId", physician,
                            "startAt", slot.get("startAt").asString(), "reason", "Suivi"));
                    assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
                    return booked.json().get("id").asLong();
                }
            }
        }
        throw new AssertionError("no free slot of the physician in the coming days");
    }

    private String status(long appointment) {
        return jdbc.sql("select status from appointment where id = ?").param(appointment).query(String.class).single();
    }

    @Test
    void thePatientCancelsTheirOwnAppointmentAndTheChangeIsAuditedAsTheirs() {
        long p = fixtures().patient();
        long appointment = book(p);
        PortalSession patient = enrolled(p);
        assertThat(patient.page("/portal/record").body()).contains("id=\"cancel-" + appointment + "\"");
        Api.Response cancelled = patient.form("/portal/appointments/" + appointment + "/cancel", Map.of("version", "1", "reason", "I feel better"));
        assertThat(cancelled.header("Location")).contains("/portal/record");
        assertThat(status(appointment)).isEqualTo("CANCELLED");
        assertThat(jdbc.sql("""
                        select count(*) from audit_entry where resource_type = 'Appointment' and resource_id = ? and action = 'status'
                           and actor_roles = 'PATIENT' and reason_code = 'PATIENT_SELF' and decision = 'ALLOW'""")
                .param(Long.toString(appointment)).query(Long.class).single()).as("audited as the patient's change").isEqualTo(1);
        assertThat(jdbc.sql("select reason is null and sealed_reason is not null from care_version where entity_type = 'appointment'"
                + " and entity_id = ? order by version desc limit 1").param(appointment).query(Boolean.class).single())
                .as("the version's reason, which repeats the patient's words, is sealed (V69)").isTrue();
        assertThat(as("frontdesk").get("/api/appointments/" + appointment + "/history").json().at("/0/reason").asString())
                .contains("cancelled by the patient").contains("I feel better");
        assertThat(patient.page("/portal/record").body()).doesNotContain("id=\"cancel-" + appointment + "\"");
    }

    @Test
    void anotherPatientsAppointmentALateOneAndAStaleVersionAreRefused() {
        long p = fixtures().patient();
        long other = fixtures().patient();
        long others = book(other);
        long late = book(p);
        jdbc.sql("update appointment set start_at = now() + interval '2 hours' + (random() * interval '10 minutes'), "
                + "end_at = now() + interval '3 hours' where id = ?").param(late).update();
        PortalSession patient = enrolled(p);
        assertThat(patient.page("/portal/record").body()).doesNotContain("id=\"cancel-" + late + "\"").contains("less than 24 hours");

        patient.form("/portal/appointments/" + others + "/cancel", Map.of("version", "1"));
        assertThat(status(others)).as("another patient's").isEqualTo("BOOKED");
        assertThat(jdbc.sql("select count(*) from audit_entry where resource_type = 'Appointment' and resource_id = ? and decision = 'DENY' and reason_code = 'NOT_OWN_RECORD'")
                .param(Long.toString(others)).query(Long.class).single()).as("refused and audited").isEqualTo(1);

        Api.Response tooLate = patient.form("/portal/appointments/" + late + "/cancel", Map.of("version", "1"));
        assertThat(tooLate.header("Location")).contains("/portal/record");
        assertThat(status(late)).isEqualTo("BOOKED");
        assertThat(patient.page("/portal/record").body()).contains("please call the hospital to cancel it");

        long later = book(p);
        patient.form("/portal/appointments/" + later + "/cancel", Map.of("version", "7"));
        assertThat(status(later)).as("a stale version").isEqualTo("BOOKED");
        assertThat(patient.page("/portal/appointments/" + later + "/cancel").status()).as("GET is not mapped: no 500").isLessThan(500);
    }
}
