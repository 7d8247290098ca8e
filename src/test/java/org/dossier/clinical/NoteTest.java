package org.dossier.clinical;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NoteTest extends IntegrationTest {

    @Test
    void aDraftIsEditedThenSignedAndNeverChangesAgain() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        JsonNode draft = doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "CONSULTATION", "title", "First visit",
                "body", "Dyspnoea on exertion.")).json();
        long id = draft.get("id").asLong();
        assertThat(draft.get("status").asString()).isEqualTo("DRAFT");

        JsonNode edited = doc.put("/api/notes/" + id, Map.of("version", 1, "title", "First visit", "body", "Dyspnoea on exertion, NYHA II.")).json();
        assertThat(edited.get("version").asInt()).isEqualTo(2);
        JsonNode signed = doc.post("/api/notes/" + id + "/sign", Map.of("version", 2)).json();
        assertThat(signed.get("status").asString()).isEqualTo("SIGNED");
        assertThat(signed.get("signedBy").asLong()).isEqualTo(fixtures().staffId("physician"));

        Api.Response editSigned = doc.put("/api/notes/" + id, Map.of("version", 3, "title", "x", "body", "rewritten"));
        assertThat(editSigned.status()).isEqualTo(409);
        assertThat(editSigned.json().get("detail").asString()).contains("amendment");
        assertThat(doc.get("/api/notes/" + id).json().get("body").asString()).isEqualTo("Dyspnoea on exertion, NYHA II.");
    }

    @Test
    void anAmendmentCorrectsASignedNoteAndKeepsTheOriginal() {
        long patient = fixtures().patientInCare();
        Api doc = as("physician");
        long id = doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "Day 2", "body", "Potassium 5.9"))
                .json().get("id").asLong();
        doc.post("/api/notes/" + id + "/sign", Map.of("version", 1));

        Api.Response amendment = doc.post("/api/notes/" + id + "/amendments", Map.of("title", "Day 2 (corrected)",
                "body", "Potassium 3.9 — typo", "reason", "wrong value typed"));
        assertThat(amendment.status()).as(amendment.toString()).isEqualTo(201);
        long amendmentId = amendment.json().get("id").asLong();
        assertThat(amendment.json().get("amendsId").asLong()).isEqualTo(id);
        doc.post("/api/notes/" + amendmentId + "/sign", Map.of("version", 1));

        JsonNode original = doc.get("/api/notes/" + id).json();
        assertThat(original.get("status").asString()).isEqualTo("AMENDED");
        assertThat(original.get("body").asString()).isEqualTo("Potassium 5.9");
        assertThat(doc.get("/api/notes/" + id + "/history").json()).hasSize(3);
        assertThat(doc.post("/api/notes/" + amendmentId + "/amendments", Map.of("title", "x", "body", "y")).status())
                .as("an amendment needs a reason").isEqualTo(422);
    }

    @Test
    void aDraftBelongsToItsAuthorUntilSigned() {
        long patient = fixtures().patientInCare();
        long id = as("physician").post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b"))
                .json().get("id").asLong();
        assertThat(as("nurse").get("/api/notes/" + id).status()).isEqualTo(404);
        assertThat(as("nurse").get("/api/patients/" + patient + "/notes").json()).isEmpty();
        assertThat(as("nurse").post("/api/notes/" + id + "/sign", Map.of("version", 1)).status()).isEqualTo(404);
        as("physician").post("/api/notes/" + id + "/sign", Map.of("version", 1));
        assertThat(as("nurse").get("/api/notes/" + id).status()).isEqualTo(200);
    }

    @Test
    void badNotesAreRefusedAndOnlyCliniciansWriteThem() {
        long patient = fixtures().patientInCare();
        long before = count("clinical_note");
        Api doc = as("physician");
        assertThat(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "", "body", "b")).status()).isEqualTo(422);
        assertThat(doc.post("/api/patients/" + patient + "/notes", Map.of("title", "t", "body", "b")).status()).isEqualTo(422);
        assertThat(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "POEM", "title", "t", "body", "b")).status()).isEqualTo(400);
        assertThat(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "x".repeat(100_001)))
                .status()).isEqualTo(422);
        assertThat(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b", "stayId", 999999))
                .status()).isEqualTo(404);
        assertThat(as("frontdesk").post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b"))
                .status()).isEqualTo(403);
        assertThat(as("billing").get("/api/patients/" + patient + "/notes").status()).isEqualTo(403);
        assertThat(count("clinical_note")).isEqualTo(before);
    }
}
