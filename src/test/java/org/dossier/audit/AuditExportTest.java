package org.dossier.audit;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The trail leaves the database in two forms a third party can check: BALP AuditEvents and signed checkpoints. */
class AuditExportTest extends IntegrationTest {

    @org.springframework.beans.factory.annotation.Autowired
    AuditTrail trail;

    @Test
    void aPatientsAccessesExportAsBalpAuditEvents() {
        long patient = fixtures().patientInCare();
        Api.Response chart = as("physician").get("/api/patients/" + patient + "/chart");
        as("physician.sud").get("/api/patients/" + patient + "/chart");
        String window = "from=" + Instant.now().minus(1, ChronoUnit.HOURS) + "&to=" + Instant.now().plus(1, ChronoUnit.MINUTES);

        Api.Response r = as("security").get("/api/audit/events?" + window + "&patient=" + patient);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode bundle = r.json();
        assertThat(bundle.get("resourceType").asString()).isEqualTo("Bundle");
        JsonNode read = bundle.get("entry").valueStream().map(e -> e.get("resource"))
                .filter(e -> e.at("/entity/2/what/identifier/value").asString("").equals(chart.header("X-Request-Id")))
                .findFirst().orElseThrow();
        assertThat(read.get("resourceType").asString()).isEqualTo("AuditEvent");
        assertThat(read.at("/meta/tag/0/code").asString()).isEqualTo("IHE.BasicAudit.PatientRead");
        assertThat(read.get("action").asString()).isEqualTo("R");
        assertThat(read.get("outcome").asString()).isEqualTo("0");
        assertThat(read.at("/purposeOfEvent/0/coding/0/code").asString()).isEqualTo("TREAT");
        assertThat(read.at("/agent/0/who/display").asString()).isEqualTo("physician");
        assertThat(read.at("/agent/0/requestor").asBoolean()).isTrue();
        assertThat(read.at("/entity/0/what/reference").asString()).isEqualTo("Patient/" + patient);
        assertThat(read.at("/entity/0/role/code").asString()).isEqualTo("1");
        assertThat(read.at("/extension/0/valueString").asString()).hasSize(64);

        boolean refusalExported = bundle.get("entry").valueStream().map(e -> e.get("resource"))
                .anyMatch(e -> e.at("/agent/0/who/display").asString("").equals("physician.sud") && e.get("outcome").asString().equals("4"));
        assertThat(refusalExported).as("a refused attempt is an AuditEvent with a failure outcome").isTrue();

        assertThat(as("physician").get("/api/audit/events?" + window).status()).isEqualTo(403);
        assertThat(as("security").get("/api/audit/events?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z").status())
                .as("windows are bounded").isEqualTo(422);
    }

    @Test
    void signedCheckpointsExportWithTheKeyThatChecksThem() {
        as("physician").get("/api/patients/" + fixtures().patientInCare() + "/chart");
        trail.checkpointNow();
        JsonNode ok = as("security").get("/api/audit/verification").json();
        assertThat(ok.get("intact").asBoolean()).as(ok.toString()).isTrue();
        JsonNode export = as("security").get("/api/audit/checkpoints").json();
        assertThat(export.get("algorithm").asString()).isEqualTo("Ed25519");
        String key = export.get("publicKey").asString();
        assertThat(export.get("checkpoints").size()).isPositive();
        export.get("checkpoints").valueStream().forEach(c -> assertThat(AuditSigner.verify(key, c.get("seq").asLong(),
                c.get("hash").asString(), c.get("signedAt").asString(), c.get("signature").asString())).isTrue());
        assertThat(as("admin").get("/api/audit/checkpoints").status()).isEqualTo(403);
    }
}
