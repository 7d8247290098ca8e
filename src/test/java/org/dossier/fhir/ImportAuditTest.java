package org.dossier.fhir;

import io.micrometer.core.instrument.MeterRegistry;
import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An import's audit entries (ADR 0060): every record the run writes has its entry, durable before the bundle's transaction
 * commits, and the entries of one bundle travel together rather than one disk wait per record. A bundle that rolls back
 * keeps the entries of what was decided before it failed.
 */
class ImportAuditTest extends IntegrationTest {

    @Autowired
    MeterRegistry meters;

    private Api.Response importBundle(String json, String source) {
        return as("admin").postRaw("/fhir", "application/fhir+json", json,
                Map.of("X-Dossier-Facility", "1", "X-Dossier-Import-Source", source));
    }

    private long lastSeq() {
        return jdbc.sql("select coalesce(max(seq), 0) from audit_entry").query(Long.class).single();
    }

    private long appends() {
        return meters.get("dossier.audit.append").timer().count();
    }

    /**
     * A patient and their observations, as another system sends a history: built here rather than read from the shared
     * Synthea set, whose patients and practitioners other test classes import in an order of their own.
     */
    private static String history(int observations) {
        StringBuilder entries = new StringBuilder("""
                {"fullUrl": "urn:uuid:2c1d0e7a-0000-4000-8000-000000000000",
                 "resource": {"resourceType": "Patient", "name": [{"family": "Auditbatch", "given": ["Aurore"]}],
                              "gender": "female", "birthDate": "1949-11-23"},
                 "request": {"method": "POST", "url": "Patient"}}""");
        for (int i = 0; i < observations; i++) {
            entries.append(",").append("""
                    {"resource": {"resourceType": "Observation", "status": "final",
                                  "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
                                  "subject": {"reference": "urn:uuid:2c1d0e7a-0000-4000-8000-000000000000"},
                                  "effectiveDateTime": "2020-01-01T08:%02d:%02d+00:00",
                                  "valueQuantity": {"value": %d, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"}},
                     "request": {"method": "POST", "url": "Observation"}}""".formatted(i / 60, i % 60, 60 + i % 40));
        }
        return "{\"resourceType\": \"Bundle\", \"type\": \"transaction\", \"entry\": [" + entries + "]}";
    }

    @Test
    void aBundlesEntriesAreAllWrittenTogetherBeforeItsAnswer() {
        long seq = lastSeq();
        long appendsBefore = appends();

        Api.Response imported = importBundle(history(300), "history.json");

        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        long appendsMade = appends() - appendsBefore;
        long patient = jdbc.sql("select patient_id from audit_entry where seq > ? and action = 'create' and reason_code = 'REGISTRATION'"
                        + " and actor_username = 'admin'").param(seq).query(Long.class).single();
        long entries = jdbc.sql("select count(*) from audit_entry where seq > ? and patient_id = ? and actor_username = 'admin' and decision = 'ALLOW'")
                .param(seq).param(patient).query(Long.class).single();
        long stored = jdbc.sql("select count(*) from observation where patient_id = ?").param(patient).query(Long.class).single();
        assertThat(stored).as("every observation sent is kept").isEqualTo(300);
        assertThat(entries).as("an entry for the registration and for every record written").isGreaterThan(stored);
        // Other activity of the server may append meanwhile (the guard, background jobs): a handful, never one per record.
        assertThat(appendsMade).as("%d entries in %d appends", entries, appendsMade).isLessThanOrEqualTo(1 + entries / 1_000 + 5);
    }

    @Test
    void aBundleThatRollsBackKeepsTheEntriesOfWhatWasDecided() {
        String bundle = """
                {"resourceType": "Bundle", "type": "transaction", "entry": [
                  {"fullUrl": "urn:uuid:1b7e5f0a-0000-4000-8000-000000000001",
                   "resource": {"resourceType": "Patient", "name": [{"family": "Rollback", "given": ["Rosalie"]}],
                                "gender": "female", "birthDate": "1961-04-02"},
                   "request": {"method": "POST", "url": "Patient"}},
                  {"fullUrl": "urn:uuid:1b7e5f0a-0000-4000-8000-000000000002",
                   "resource": {"resourceType": "Patient", "gender": "female"},
                   "request": {"method": "POST", "url": "Patient"}}]}""";
        long seq = lastSeq();
        long patients = count("patient");

        Api.Response refused = importBundle(bundle, "rollback.json");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(count("patient")).as("a transaction is all or nothing").isEqualTo(patients);
        Long registered = jdbc.sql("select patient_id from audit_entry where seq > ? and action = 'create' and reason_code = 'REGISTRATION' and actor_username = 'admin'")
                .param(seq).query(Long.class).optional().orElse(null);
        assertThat(registered).as("the registration decided before the failure is in the audit trail").isNotNull();
        assertThat(jdbc.sql("select count(*) from patient where id = ?").param(registered).query(Long.class).single())
                .as("though the patient it registered was rolled back").isZero();
    }
}
