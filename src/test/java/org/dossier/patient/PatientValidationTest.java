package org.dossier.patient;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dossier.support.PatientJson.registration;
import static org.dossier.support.PatientJson.reviewed;
import static org.dossier.support.PatientJson.valid;

/** Every validation rule, one broken field at a time: 422, the field named, nothing written. */
class PatientValidationTest extends IntegrationTest {

    @SuppressWarnings("unchecked")
    static Stream<Arguments> brokenFields() {
        return Stream.of(
                broken("birthFamilyName", p -> p.put("birthFamilyName", "")),
                broken("birthFamilyName", p -> p.put("birthFamilyName", "R2-D2")),
                broken("usedName", p -> p.put("usedName", "<script>")),
                broken("givenNames", p -> p.put("givenNames", " ")),
                broken("givenNames", p -> p.put("givenNames", "Jean 3")),
                broken("birthDate", p -> p.put("birthDate", null)),
                broken("birthDate", p -> p.put("birthDate", "2999-01-01")),
                broken("birthDate", p -> p.put("birthDate", "1850-06-01")),
                broken("sex", p -> p.put("sex", null)),
                broken("birthplaceCode", p -> p.put("birthplaceCode", "6912")),
                broken("identityStatus", p -> p.put("identityStatus", null)),
                broken("insMatricule", p -> p.put("insMatricule", "284036938100199")),
                broken("insMatricule", p -> p.put("insMatricule", "28403693810")),
                broken("insMatricule", p -> {
                    p.put("insMatricule", null);
                    p.put("insOid", null);
                }),
                broken("insMatricule", p -> p.put("sex", "M")),
                broken("insMatricule", p -> p.put("birthDate", "1985-03-07")),
                broken("insOid", p -> p.put("insOid", "1.2.3")),
                broken("phones[0].number", p -> ((List<Map<String, Object>>) p.get("phones")).get(0).put("number", "12345")),
                broken("phones[0].use", p -> ((List<Map<String, Object>>) p.get("phones")).get(0).put("use", "PAGER")),
                broken("emails[0].address", p -> ((List<Map<String, Object>>) p.get("emails")).get(0).put("address", "not-an-email")),
                broken("addresses[0].postalCode", p -> ((List<Map<String, Object>>) p.get("addresses")).get(0).put("postalCode", "6900")),
                broken("addresses[0].line", p -> ((List<Map<String, Object>>) p.get("addresses")).get(0).put("line", "")),
                broken("addresses[1]", p -> ((List<Object>) p.get("addresses")).add(null)),
                broken("contacts[0].role", p -> ((List<Map<String, Object>>) p.get("contacts")).get(0).put("role", "FRIEND")),
                broken("contacts[0].phone", p -> ((List<Map<String, Object>>) p.get("contacts")).get(0).put("phone", "abc")),
                broken("preferredPhysician.rpps", p -> ((Map<String, Object>) p.get("preferredPhysician")).put("rpps", "10000000015")),
                broken("coverage.nir", p -> ((Map<String, Object>) p.get("coverage")).put("nir", "184036938100100")),
                broken("coverage.amoScheme", p -> ((Map<String, Object>) p.get("coverage")).put("amoScheme", "1")),
                broken("coverage.amoFund", p -> ((Map<String, Object>) p.get("coverage")).put("amoFund", "69")),
                broken("coverage.validTo", p -> ((Map<String, Object>) p.get("coverage")).put("validTo", "2025-12-31")));
    }

    private static Arguments broken(String field, Consumer<Map<String, Object>> change) {
        return Arguments.of(field, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFields")
    void aBrokenFieldIsNamedInA422ProblemAndNothingIsWritten(String field, Consumer<Map<String, Object>> change) {
        Map<String, Object> patient = valid("Valide", "Valérie");
        change.accept(patient);
        long patients = count("patient");
        long versions = count("patient_version");

        Api.Response r = as("frontdesk").post("/api/patients", registration(1, patient));

        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.contentType()).contains("application/problem+json");
        List<String> fields = new ArrayList<>();
        for (JsonNode e : r.json().get("errors")) {
            fields.add(e.get("field").asString());
            assertThat(e.get("message").asString()).isNotBlank();
        }
        assertThat(fields).contains(field);
        assertThat(count("patient")).isEqualTo(patients);
        assertThat(count("patient_version")).isEqualTo(versions);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFields")
    @SuppressWarnings("unchecked")
    void theSameRulesGuardAChangeOfAnExistingPatient(String field, Consumer<Map<String, Object>> change) {
        Api desk = as("frontdesk");
        JsonNode created = desk.post("/api/patients", reviewed(1, valid("Modifiable", "Maud"))).json();
        Map<String, Object> patient = valid("Modifiable", "Maud");
        patient.put("insMatricule", created.at("/data/insMatricule").asString());
        ((Map<String, Object>) patient.get("coverage")).put("nir", created.at("/data/insMatricule").asString());
        change.accept(patient);
        long versions = count("patient_version");

        Api.Response r = desk.put("/api/patients/" + created.get("id").asLong(),
                Map.of("version", 1, "reason", "test", "patient", patient));

        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(count("patient_version")).isEqualTo(versions);
        assertThat(desk.get("/api/patients/" + created.get("id").asLong()).json().get("version").asInt()).isEqualTo(1);
    }
}
