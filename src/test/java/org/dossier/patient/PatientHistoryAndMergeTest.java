package org.dossier.patient;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dossier.support.PatientJson.provisional;
import static org.dossier.support.PatientJson.registration;
import static org.dossier.support.PatientJson.reviewed;
import static org.dossier.support.PatientJson.valid;

class PatientHistoryAndMergeTest extends IntegrationTest {

    @Test
    void aChangeIsANewVersionAndTheOldOneStaysReadable() {
        Api desk = as("frontdesk");
        JsonNode created = desk.post("/api/patients", registration(1, valid("Versionné", "Vera"))).json();
        long id = created.get("id").asLong();
        Map<String, Object> changed = asMap(created.get("data"));
        changed.put("usedName", "Mariée");

        Api.Response updated = desk.put("/api/patients/" + id, Map.of("version", 1, "reason", "marriage certificate", "patient", changed));

        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("version").asInt()).isEqualTo(2);
        JsonNode history = desk.get("/api/patients/" + id + "/history").json();
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("version").asInt()).isEqualTo(2);
        assertThat(history.get(0).get("reason").asString()).isEqualTo("marriage certificate");
        assertThat(history.get(0).at("/data/usedName").asString()).isEqualTo("Mariée");
        assertThat(history.get(1).at("/data/usedName").isNull()).isTrue();
    }

    @Test
    void aStaleVersionOrAMissingReasonIsRefusedAndNothingChanges() {
        Api desk = as("frontdesk");
        JsonNode created = desk.post("/api/patients", registration(1, valid("Concurrent", "Colette"))).json();
        long id = created.get("id").asLong();
        Map<String, Object> data = asMap(created.get("data"));
        assertThat(desk.put("/api/patients/" + id, Map.of("version", 1, "reason", "first", "patient", data)).status()).isEqualTo(200);

        Api.Response stale = desk.put("/api/patients/" + id, Map.of("version", 1, "reason", "second", "patient", data));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().get("currentVersion").asInt()).isEqualTo(2);

        Api.Response noReason = desk.put("/api/patients/" + id, Map.of("version", 2, "reason", " ", "patient", data));
        assertThat(noReason.status()).isEqualTo(422);
        assertThat(desk.get("/api/patients/" + id + "/history").json()).hasSize(2);
    }

    @Test
    void theSameInsCannotBeRegisteredTwiceInAFacility() {
        Api desk = as("frontdesk");
        Map<String, Object> first = valid("Doublon", "Denise");
        desk.post("/api/patients", registration(1, first));
        Map<String, Object> again = valid("Autrenom", "Agathe");
        again.put("insMatricule", first.get("insMatricule"));
        Map<String, Object> body = registration(1, again);
        body.put("duplicatesReviewed", true);
        long before = count("patient");

        Api.Response r = desk.post("/api/patients", body);

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().at("/candidates/0/reason").asString()).isEqualTo("SAME_INS");
        assertThat(count("patient")).isEqualTo(before);
    }

    @Test
    void similarNamesWithTheSameBirthDateAreCandidatesUntilReviewed() {
        Api desk = as("frontdesk");
        JsonNode original = desk.post("/api/patients", registration(1, provisional("Lefebvre", "Jean-Baptiste", "1961-11-23", "M"))).json();
        Map<String, Object> typo = provisional("Lefèbre", "Jean-Baptiste", "1961-11-23", "M");

        JsonNode check = desk.post("/api/patients/duplicate-check", Map.of("facilityId", 1, "patient", typo)).json();
        assertThat(check.get(0).get("id").asLong()).isEqualTo(original.get("id").asLong());
        assertThat(check.get(0).get("reason").asString()).isEqualTo("SIMILAR_NAME_SAME_BIRTH_DATE");

        Api.Response refused = desk.post("/api/patients", registration(1, typo));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).endsWith("possible-duplicate");
        assertThat(refused.json().at("/candidates/0/id").asLong()).isEqualTo(original.get("id").asLong());

        Map<String, Object> reviewed = registration(1, typo);
        reviewed.put("duplicatesReviewed", true);
        assertThat(desk.post("/api/patients", reviewed).status()).isEqualTo(201);
    }

    @Test
    void swappedDayAndMonthWithTheSameNameIsACandidate() {
        Api desk = as("frontdesk");
        JsonNode original = desk.post("/api/patients", registration(1, provisional("Inversé", "Irène", "1970-04-09", "F"))).json();
        JsonNode check = desk.post("/api/patients/duplicate-check",
                Map.of("facilityId", 1, "patient", provisional("Inverse", "Irene", "1970-09-04", "F"))).json();
        assertThat(check.get(0).get("id").asLong()).isEqualTo(original.get("id").asLong());
        assertThat(check.get(0).get("reason").asString()).isEqualTo("SAME_NAME_CLOSE_BIRTH_DATE");
    }

    @Test
    void mergeKeepsBothHistoriesAndUnmergeRestoresTheDuplicate() {
        Api desk = as("frontdesk");
        JsonNode survivor = desk.post("/api/patients", registration(1, provisional("Fusion", "Fanny", "1955-02-02", "F"))).json();
        Map<String, Object> dup = registration(1, provisional("Fusionn", "Fanny", "1955-02-02", "F"));
        dup.put("duplicatesReviewed", true);
        JsonNode duplicate = desk.post("/api/patients", dup).json();
        long s = survivor.get("id").asLong();
        long d = duplicate.get("id").asLong();

        Api.Response merged = desk.post("/api/patients/" + s + "/merge", Map.of("mergedId", d, "reason", "same person, typo at admission"));
        assertThat(merged.status()).as(merged.toString()).isEqualTo(201);
        long mergeId = merged.json().get("id").asLong();

        JsonNode dupNow = desk.get("/api/patients/" + d).json();
        assertThat(dupNow.get("status").asString()).isEqualTo("MERGED");
        assertThat(dupNow.get("mergedInto").asLong()).isEqualTo(s);
        assertThat(desk.get("/api/patients/" + d + "/history").json()).hasSize(2);
        assertThat(desk.get("/api/patients/" + s + "/history").json().get(0).get("reason").asString()).contains("absorbed " + d);
        assertThat(resultIds(desk.get("/api/patients?name=fusionn&birthDate=1955-02-02"))).doesNotContain(d);

        Map<String, Object> change = asMap(dupNow.get("data"));
        assertThat(desk.put("/api/patients/" + d, Map.of("version", 2, "reason", "x", "patient", change)).status()).isEqualTo(409);

        Api.Response undone = desk.post("/api/patient-merges/" + mergeId + "/undo", Map.of("reason", "not the same person after all"));
        assertThat(undone.status()).as(undone.toString()).isEqualTo(200);
        assertThat(undone.json().get("undoReason").asString()).isEqualTo("not the same person after all");
        assertThat(desk.get("/api/patients/" + d).json().get("status").asString()).isEqualTo("ACTIVE");
        assertThat(desk.get("/api/patients/" + d + "/history").json()).hasSize(3);
        assertThat(resultIds(desk.get("/api/patients?name=fusionn&birthDate=1955-02-02"))).contains(d);
        assertThat(desk.post("/api/patient-merges/" + mergeId + "/undo", Map.of("reason", "again")).status()).isEqualTo(409);
    }

    @Test
    void mergeRulesAreEnforced() {
        Api desk = as("frontdesk");
        long a = desk.post("/api/patients", reviewed(1, valid("Distinct", "Daphné"))).json().get("id").asLong();
        long b = desk.post("/api/patients", reviewed(1, valid("Distinctt", "Daphné"))).json().get("id").asLong();
        assertThat(desk.post("/api/patients/" + a + "/merge", Map.of("mergedId", b, "reason", "x")).status())
                .as("different INS means different people").isEqualTo(422);
        assertThat(desk.post("/api/patients/" + a + "/merge", Map.of("mergedId", a, "reason", "x")).status()).isEqualTo(422);
        assertThat(desk.post("/api/patients/" + a + "/merge", Map.of("mergedId", b)).status()).isEqualTo(422);
        assertThat(as("physician").post("/api/patients/" + a + "/merge", Map.of("mergedId", b, "reason", "x")).status()).isEqualTo(403);
        assertThat(count("patient_merge where survivor_id = " + a)).isZero();
    }

    private static java.util.List<Long> resultIds(Api.Response r) {
        java.util.List<Long> ids = new java.util.ArrayList<>();
        r.json().get("results").forEach(n -> ids.add(n.get("id").asLong()));
        return ids;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(JsonNode node) {
        return new LinkedHashMap<>(Api.jsonMapper().convertValue(node, Map.class));
    }
}
