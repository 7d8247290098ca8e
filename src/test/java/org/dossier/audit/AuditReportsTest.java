package org.dossier.audit;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AuditReportsTest extends IntegrationTest {

    @Autowired
    AuditTrail trail;

    private static AuditRecord entry(long actor, long patient, String sections, AuditRecord.Decision decision, Instant at) {
        String reason = decision == AuditRecord.Decision.ALLOW ? "CARE_TEAM" : "NO_RELATIONSHIP";
        return AuditRecord.at(at).account(actor, "suspect" + actor).roles("PHYSICIAN").facility(1)
                .session("session:x").from("10.0.0.7", "curl").stored("READ", "Patient", Long.toString(patient)).patient(patient)
                .stored(decision, reason, "TREATMENT", sections).build();
    }

    @Test
    void theExposureReportListsExactlyThePatientsAndSectionsAnAccountWasShown() {
        long suspect = 900_000 + System.nanoTime() % 10_000;
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        trail.append(List.of(
                entry(suspect, 501, "IDENTITY", AuditRecord.Decision.ALLOW, t.minusSeconds(50)),
                entry(suspect, 502, "IDENTITY,ALLERGIES", AuditRecord.Decision.ALLOW, t.minusSeconds(40)),
                entry(suspect, 502, "NOTES", AuditRecord.Decision.ALLOW, t.minusSeconds(30)),
                entry(suspect, 503, "NOTES", AuditRecord.Decision.DENY, t.minusSeconds(20)),
                entry(suspect + 1, 504, "IDENTITY", AuditRecord.Decision.ALLOW, t.minusSeconds(10))));
        String window = "from=" + t.minusSeconds(3600) + "&to=" + t.plusSeconds(60);

        Api.Response json = as("security").get("/api/audit/accounts/" + suspect + "/exposure?" + window);
        assertThat(json.status()).as(json.toString()).isEqualTo(200);
        JsonNode report = json.json();
        assertThat(report.get("patients").asInt()).isEqualTo(2);
        assertThat(report.get("refusedAttempts").asLong()).isEqualTo(1);
        JsonNode second = report.get("exposed").get(1);
        assertThat(second.get("patientId").asLong()).isEqualTo(502);
        assertThat(second.get("sections").valueStream().map(JsonNode::asString)).containsExactlyInAnyOrder("IDENTITY", "ALLERGIES", "NOTES");
        assertThat(second.get("accesses").asLong()).isEqualTo(2);

        Api.Response csv = as("security").get("/api/audit/accounts/" + suspect + "/exposure?" + window + "&format=csv");
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.header("Content-Disposition")).contains("exposure-" + suspect + ".csv");
        assertThat(csv.body().lines().toList()).hasSize(3).first().isEqualTo("patient_id,sections,first_access,last_access,accesses");
    }

    @Test
    void aPatientsAccessReportNamesWhoSawTheRecordAndWhy() {
        long patient = 700_000 + System.nanoTime() % 10_000;
        trail.append(List.of(entry(42, patient, "IDENTITY", AuditRecord.Decision.ALLOW, Instant.now()),
                entry(43, patient, "NOTES", AuditRecord.Decision.DENY, Instant.now())));
        JsonNode accesses = as("security").get("/api/audit/patients/" + patient + "/accesses").json();
        assertThat(accesses).hasSize(2);
        assertThat(accesses.valueStream().map(a -> a.get("reasonCode").asString())).containsExactlyInAnyOrder("CARE_TEAM", "NO_RELATIONSHIP");
        assertThat(accesses.get(0).get("actorUsername").asString()).startsWith("suspect");
    }

    @Test
    void reportsAreTheSecurityOfficersAndWindowsAreBounded() {
        String window = "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z";
        assertThat(as("physician").get("/api/audit/accounts/1/exposure?" + window).status()).isEqualTo(403);
        assertThat(as("admin").get("/api/audit/patients/1/accesses").status()).isEqualTo(403);
        assertThat(as("security").get("/api/audit/accounts/1/exposure?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z").status())
                .isEqualTo(422);
        assertThat(as("security").get("/api/audit/accounts/1/exposure?from=yesterday&to=today").status()).isEqualTo(400);
    }
}
