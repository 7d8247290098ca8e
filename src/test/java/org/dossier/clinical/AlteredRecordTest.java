package org.dossier.clinical;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Someone who can write the database moves one patient's sealed allergy onto another patient's row (ADR 0056): the value
 * does not open there, so the reader gets a clear refusal on every channel (REST problem, FHIR OperationOutcome, a
 * readable page), never the moved value and never a bare 500; the security officer gets one CRITICAL alert naming the
 * cell, however many times it is read; the untouched record reads as before.
 */
class AlteredRecordTest extends IntegrationTest {

    @Autowired
    @Qualifier("owner")
    DataSource owner;

    @Test
    void aSealedValueMovedToAnotherRowIsRefusedOnEveryChannelAndAlertedOnce() throws Exception {
        long victim = fixtures().patientInCare();
        long other = fixtures().patientInCare();
        Api nurse = as("nurse");
        long moved = allergy(nurse, victim, "Penicilline");
        long target = allergy(nurse, other, "Latex");
        Api doc = as("physician");
        assertThat(doc.get("/api/patients/" + other + "/allergies").body()).as("before").contains("Latex");

        JdbcClient owners = JdbcClient.create(owner);
        long alertsBefore = alerts(owners);
        owners.sql("update allergy set sealed_content = (select sealed_content from allergy where id = ?) where id = ?")
                .param(moved).param(target).update();

        for (int read = 0; read < 2; read++) {
            Api.Response rest = doc.get("/api/patients/" + other + "/allergies");
            assertThat(rest.status()).as(rest.toString()).isEqualTo(502);
            assertThat(rest.header("Content-Type")).contains("application/problem+json");
            assertThat(rest.json().get("type").asString()).endsWith("record-integrity");
            assertThat(rest.body()).doesNotContain("Penicilline").contains("security officer");
        }
        Api.Response fhir = doc.get("/fhir/AllergyIntolerance?patient=" + other);
        assertThat(fhir.status()).as(fhir.toString()).isEqualTo(502);
        assertThat(fhir.body()).contains("OperationOutcome").doesNotContain("Penicilline");
        Api.Response page = BrowserSession.signedIn(port, "physician").page("/patients/" + other + "?tab=allergies");
        assertThat(page.status()).as("the chart page").isEqualTo(502);
        assertThat(page.body()).contains("security officer has been alerted").doesNotContain("Penicilline").doesNotContain("Exception");

        assertThat(alerts(owners) - alertsBefore).as("one alert for the cell, however often it is read").isEqualTo(1);
        assertThat(owners.sql("select evidence::text from guard_alert where signal = 'SEALED_VALUE_ALTERED' order by id desc limit 1")
                .query(String.class).single()).contains("\"table\":\"allergy\"").contains("\"row\":" + target)
                .doesNotContain("Penicilline").doesNotContain("Latex");
        assertThat(doc.get("/api/patients/" + victim + "/allergies").body()).as("the untouched record").contains("Penicilline");
    }

    private static long allergy(Api nurse, long patient, String substance) {
        Api.Response r = nurse.post("/api/patients/" + patient + "/allergies", Map.of("substance", substance + " " + System.nanoTime(),
                "substanceCode", "Z88.0", "reaction", "Urticaire", "severity", "SEVERE"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    private static long alerts(JdbcClient owners) {
        return owners.sql("select count(*) from guard_alert where signal = 'SEALED_VALUE_ALTERED'").query(Long.class).single();
    }
}
