package org.dossier.clinical;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AllergyProblemObservationTest extends IntegrationTest {

    @Test
    void allergiesAreRecordedChangedWithAReasonAndKeptInHistory() {
        long patient = fixtures().patientInCare();
        Api nurse = as("nurse");
        JsonNode a = nurse.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Pénicilline", "substanceCode", "J01C",
                "reaction", "urticaria", "severity", "MODERATE")).json();
        assertThat(a.get("status").asString()).isEqualTo("ACTIVE");
        long id = a.get("id").asLong();
        Map<String, Object> change = Map.of("version", 1, "reason", "anaphylaxis reported by GP", "allergy",
                Map.of("substance", "Pénicilline", "substanceCode", "J01C", "reaction", "anaphylaxis", "severity", "SEVERE"));
        assertThat(nurse.put("/api/allergies/" + id, change).json().get("severity").asString()).isEqualTo("SEVERE");
        assertThat(nurse.put("/api/allergies/" + id, change).status()).isEqualTo(409);
        JsonNode history = nurse.get("/api/allergies/" + id + "/history").json();
        assertThat(history).hasSize(2);
        assertThat(history.get(1).at("/record/severity").asString()).isEqualTo("MODERATE");

        assertThat(nurse.post("/api/patients/" + patient + "/allergies", Map.of("substance", "", "severity", "MILD")).status()).isEqualTo(422);
        assertThat(nurse.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Latex")).status()).isEqualTo(422);
        assertThat(nurse.get("/api/patients/" + patient + "/allergies").json()).hasSize(1);
    }

    @Test
    void problemsAreIcd10CodedAndPlausiblyDated() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        Api.Response ok = doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "i10", "label", "Essential hypertension",
                "onsetDate", "2019-05-01"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        assertThat(ok.json().get("icd10Code").asString()).isEqualTo("I10");
        long before = count("problem");
        assertThat(doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "HTA", "label", "x")).status()).isEqualTo(422);
        assertThat(doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "E11.9", "label", "Diabetes",
                "onsetDate", "2999-01-01")).status()).isEqualTo(422);
        assertThat(doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "E11.9", "label", "Diabetes",
                "onsetDate", "1960-01-01")).status()).as("before birth").isEqualTo(422);
        assertThat(as("nurse").post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "E11.9", "label", "Diabetes")).status())
                .as("nurses do not diagnose").isEqualTo(403);
        assertThat(count("problem")).isEqualTo(before);

        long id = ok.json().get("id").asLong();
        JsonNode resolved = doc.put("/api/problems/" + id, Map.of("version", 1, "reason", "controlled", "problem",
                Map.of("icd10Code", "I10", "label", "Essential hypertension", "status", "RESOLVED"))).json();
        assertThat(resolved.get("status").asString()).isEqualTo("RESOLVED");
        assertThat(doc.get("/api/patients/" + patient + "/problems?activeOnly=true").json()).isEmpty();
    }

    private static Map<String, Object> vital(String kind, Object value) {
        Map<String, Object> o = new HashMap<>();
        o.put("kind", kind);
        o.put("value", value);
        return o;
    }

    @Test
    void vitalSignsOutsidePlausibleRangesAreRefused() {
        long patient = fixtures().patientInCare();
        Api nurse = as("nurse");
        String path = "/api/patients/" + patient + "/observations";
        long before = count("observation");
        assertThat(nurse.post(path, vital("HEART_RATE", 400)).status()).isEqualTo(422);
        assertThat(nurse.post(path, vital("TEMPERATURE", 98.6)).json().at("/errors/0/message").asString()).contains("Cel");
        assertThat(nurse.post(path, vital("SPO2", 101)).status()).isEqualTo(422);
        assertThat(nurse.post(path, vital("WEIGHT", 0)).status()).isEqualTo(422);
        Map<String, Object> bp = vital("BLOOD_PRESSURE", 80);
        bp.put("value2", 120);
        assertThat(nurse.post(path, bp).json().at("/errors/0/field").asString()).isEqualTo("value2");
        Map<String, Object> wrongUnit = vital("TEMPERATURE", 37.2);
        wrongUnit.put("unit", "[degF]");
        assertThat(nurse.post(path, wrongUnit).status()).isEqualTo(422);
        Map<String, Object> future = vital("HEART_RATE", 80);
        future.put("effectiveAt", Instant.now().plusSeconds(86_400).toString());
        assertThat(nurse.post(path, future).status()).isEqualTo(422);
        Map<String, Object> labWithoutCode = vital("LAB", 4.1);
        labWithoutCode.put("unit", "mmol/L");
        assertThat(nurse.post(path, labWithoutCode).status()).isEqualTo(422);
        assertThat(count("observation")).isEqualTo(before);
    }

    @Test
    void observationsAreRecordedAndAWrongOneIsMarkedNotChanged() {
        long patient = fixtures().patientInCare();
        Api nurse = as("nurse");
        String path = "/api/patients/" + patient + "/observations";
        Map<String, Object> bp = vital("BLOOD_PRESSURE", 135);
        bp.put("value2", 85);
        JsonNode recorded = nurse.post(path, bp).json();
        assertThat(recorded.get("unit").asString()).isEqualTo("mm[Hg]");
        assertThat(recorded.get("code").asString()).isEqualTo("85354-9");
        assertThat(recorded.get("value").asInt()).isEqualTo(135);
        nurse.post(path, vital("TEMPERATURE", 38.4));
        Map<String, Object> lab = vital("LAB", 4.1);
        lab.put("code", "2823-3");
        lab.put("label", "Potassium");
        lab.put("unit", "mmol/L");
        assertThat(nurse.post(path, lab).status()).isEqualTo(201);
        JsonNode wrong = nurse.post(path, vital("HEART_RATE", 250)).json();

        JsonNode marked = nurse.post("/api/observations/" + wrong.get("id").asLong() + "/entered-in-error",
                Map.of("version", 1, "reason", "pulse oximeter artefact")).json();
        assertThat(marked.get("status").asString()).isEqualTo("ENTERED_IN_ERROR");
        assertThat(marked.get("value").asInt()).isEqualTo(250);
        JsonNode series = nurse.get(path + "?kind=HEART_RATE").json();
        assertThat(series).isEmpty();
        assertThat(nurse.get(path).json()).hasSize(3);
        assertThat(nurse.get("/api/observations/" + wrong.get("id").asLong() + "/history").json()).hasSize(2);
    }
}
