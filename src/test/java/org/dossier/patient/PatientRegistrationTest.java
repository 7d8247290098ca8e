package org.dossier.patient;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dossier.support.PatientJson.registration;
import static org.dossier.support.PatientJson.valid;

class PatientRegistrationTest extends IntegrationTest {

    @Test
    void frontDeskRegistersAPatientWhoCanBeReadBackWithTheFirstVersionInHistory() {
        Api desk = as("frontdesk");
        Api.Response created = desk.post("/api/patients", registration(1, valid("Lemarchand", "Hélène Marie")));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode patient = created.json();
        long id = patient.get("id").asLong();
        assertThat(patient.get("ipp").asString()).startsWith("1");
        assertThat(patient.get("version").asInt()).isEqualTo(1);
        assertThat(patient.at("/data/phones/0/number").asString()).isEqualTo("0639981234");

        JsonNode read = desk.get("/api/patients/" + id).json();
        assertThat(read.at("/data/birthFamilyName").asString()).isEqualTo("Lemarchand");
        assertThat(read.at("/data/givenNames").asString()).isEqualTo("Hélène Marie");
        assertThat(read.at("/data/coverage/amcName").asString()).isEqualTo("MGEN");

        JsonNode history = desk.get("/api/patients/" + id + "/history").json();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("reason").asString()).isEqualTo("registration");
        assertThat(history.get(0).get("authorId").asLong()).isEqualTo(staffId("frontdesk"));
    }

    @Test
    void eachRegistrationGetsItsOwnIppInItsFacility() {
        Api desk = as("frontdesk");
        String a = desk.post("/api/patients", registration(1, valid("Aubergier", "Anne"))).json().get("ipp").asString();
        String b = desk.post("/api/patients", registration(1, valid("Bouvreuil", "Berthe"))).json().get("ipp").asString();
        assertThat(a).isNotEqualTo(b);
        assertThat(patientsWhere(i -> a.equals(i.ipp()) || b.equals(i.ipp()))).hasSize(2);
    }

    @Test
    void registrationInAFacilityWhereTheCallerDoesNotWorkIsRefusedAndWritesNothing() {
        long before = count("patient");
        Api.Response r = as("frontdesk").post("/api/patients", registration(2, valid("Ailleurs", "Anne")));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(count("patient")).isEqualTo(before);
    }

    @Test
    void administratorsAndSecurityOfficersCannotReadOrRegisterPatients() {
        long id = as("frontdesk").post("/api/patients", registration(1, valid("Secretaire", "Sarah"))).json().get("id").asLong();
        assertThat(as("admin").get("/api/patients/" + id).status()).isEqualTo(403);
        assertThat(as("security").get("/api/patients/" + id).status()).isEqualTo(403);
        assertThat(as("admin").post("/api/patients", registration(1, valid("Admin", "Alice"))).status()).isEqualTo(403);
    }

    @Test
    void aPatientOfAnotherFacilityLooksExactlyLikeAMissingOne() {
        long id = as("frontdesk").post("/api/patients", registration(1, valid("Nordiste", "Nina"))).json().get("id").asLong();
        Api.Response otherFacility = as("physician.sud").get("/api/patients/" + id);
        Api.Response missing = as("physician.sud").get("/api/patients/999999999");
        assertThat(otherFacility.status()).isEqualTo(404);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(otherFacility.json().get("title")).isEqualTo(missing.json().get("title"));
    }

    @Test
    void unreadableJsonGetsA400ProblemAndWritesNothing() {
        long before = count("patient");
        Api.Response r = as("frontdesk").postRaw("/api/patients", "application/json", "{\"facilityId\": 1, \"patient\": {");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("title").asString()).isEqualTo("Unreadable request body");
        Api.Response wrongType = as("frontdesk").post("/api/patients",
                Map.of("facilityId", 1, "patient", Map.of("birthDate", "yesterday")));
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(count("patient")).isEqualTo(before);
    }

    private long staffId(String username) {
        return jdbc.sql("select id from staff where username = ?").param(username).query(Long.class).single();
    }
}
