package org.dossier.prescribing;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrescriptionTest extends IntegrationTest {

    private static Map<String, Object> order(String drug, String atc) {
        Map<String, Object> o = new HashMap<>();
        o.put("drug", drug);
        o.put("atcCode", atc);
        o.put("dose", "1 g");
        o.put("route", "oral");
        o.put("frequency", "3 times a day");
        o.put("durationDays", 7);
        return o;
    }

    @Test
    void aPrescriptionConflictingWithAnAllergyNeedsAnExplicitOverride() {
        long patient = fixtures().patientInCare();
        as("nurse").post("/api/patients/" + patient + "/allergies", Map.of("substance", "Pénicillines", "reaction", "rash",
                "severity", "MODERATE"));
        Api doc = as("physician");
        long before = count("medication_order");

        Api.Response refused = doc.post("/api/patients/" + patient + "/prescriptions", order("Amoxicilline 1 g", "J01CA04"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).endsWith("allergy-conflict");
        assertThat(refused.json().at("/allergies/0/substance").asString()).isEqualTo("Pénicillines");
        assertThat(count("medication_order")).isEqualTo(before);

        Map<String, Object> overridden = order("Amoxicilline 1 g", "J01CA04");
        overridden.put("allergyOverrideReason", "rash only, infectious disease consultant agrees");
        Api.Response created = doc.post("/api/patients/" + patient + "/prescriptions", overridden);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("allergyOverrideReason").asString()).contains("consultant");
        JsonNode history = doc.get("/api/prescriptions/" + created.json().get("id").asLong() + "/history").json();
        assertThat(history.get(0).get("reason").asString()).startsWith("prescribed despite an allergy");
    }

    @Test
    void theAllergyCheckKnowsClassesAndCodes() {
        long patient = fixtures().patientInCare();
        as("nurse").post("/api/patients/" + patient + "/allergies", Map.of("substance", "AINS", "severity", "SEVERE"));
        as("nurse").post("/api/patients/" + patient + "/allergies", Map.of("substance", "Produit X", "substanceCode", "C09AA",
                "severity", "MILD"));
        Api doc = as("physician");
        assertThat(doc.post("/api/patients/" + patient + "/prescriptions", order("Ibuprofène 400 mg", null)).status()).isEqualTo(409);
        assertThat(doc.post("/api/patients/" + patient + "/prescriptions", order("Ramipril 5 mg", "C09AA05")).status()).isEqualTo(409);
        assertThat(doc.post("/api/patients/" + patient + "/prescriptions", order("Paracétamol 1 g", "N02BE01")).status()).isEqualTo(201);
    }

    @Test
    void renewStopAndTheWholeHistoryOfThePatient() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        long first = doc.post("/api/patients/" + patient + "/prescriptions", order("Bisoprolol 2.5 mg", "C07AB07")).json().get("id").asLong();
        JsonNode renewal = doc.post("/api/prescriptions/" + first + "/renew", Map.of("version", 1, "durationDays", 30)).json();
        assertThat(renewal.get("renewedFrom").asLong()).isEqualTo(first);
        assertThat(doc.get("/api/prescriptions/" + first).json().get("status").asString()).isEqualTo("COMPLETED");

        JsonNode stopped = doc.post("/api/prescriptions/" + renewal.get("id").asLong() + "/stop", Map.of("version", 1, "reason", "bradycardia")).json();
        assertThat(stopped.get("status").asString()).isEqualTo("STOPPED");
        assertThat(doc.post("/api/prescriptions/" + renewal.get("id").asLong() + "/stop", Map.of("version", 2, "reason", "again")).status())
                .isEqualTo(409);
        assertThat(doc.get("/api/patients/" + patient + "/prescriptions").json()).hasSize(2);
        assertThat(doc.get("/api/patients/" + patient + "/prescriptions?activeOnly=true").json()).isEmpty();
        assertThat(as("nurse").get("/api/patients/" + patient + "/prescriptions").json()).hasSize(2);
    }

    @Test
    void badOrdersAreRefusedAndOnlyPhysiciansPrescribe() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        long before = count("medication_order");
        Map<String, Object> noDose = order("Furosémide", "C03CA01");
        noDose.put("dose", "");
        Map<String, Object> badRoute = order("Furosémide", "C03CA01");
        badRoute.put("route", "telepathy");
        Map<String, Object> badAtc = order("Furosémide", "FURO");
        Map<String, Object> badCip = order("Furosémide", "C03CA01");
        badCip.put("cip13", "123");
        Map<String, Object> tooLong = order("Furosémide", "C03CA01");
        tooLong.put("durationDays", 400);
        Map<String, Object> past = order("Furosémide", "C03CA01");
        past.put("startDate", "2020-01-01");
        for (Map<String, Object> bad : java.util.List.of(noDose, badRoute, badAtc, badCip, tooLong, past)) {
            assertThat(doc.post("/api/patients/" + patient + "/prescriptions", bad).status()).as(bad.toString()).isEqualTo(422);
        }
        assertThat(as("nurse").post("/api/patients/" + patient + "/prescriptions", order("Furosémide", "C03CA01")).status()).isEqualTo(403);
        assertThat(as("physician.sud").post("/api/patients/" + patient + "/prescriptions", order("Furosémide", "C03CA01")).status())
                .isEqualTo(404);
        assertThat(count("medication_order")).isEqualTo(before);
    }
}
