package org.dossier.access;

import org.dossier.support.Api;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** No audit entry, no data: when the trail cannot record an access, the request gets nothing and changes nothing. */
class FailClosedTest extends IntegrationTest {

    @Test
    void aReadOrWriteWhoseEntryCannotBeWrittenReturnsNothingAndWritesNothing() {
        long patient = fixtures().patientInCare();
        String family = as("physician").get("/api/patients/" + patient).json().at("/data/birthFamilyName").asString();
        // A real failure inside PostgreSQL, for this patient's entries only (as a full disk or a broken replica would be).
        jdbc.sql("""
                create or replace function test_refuse_audit() returns trigger language plpgsql as $$
                begin
                    if new.patient_id = %d then raise exception 'disk full (simulated)'; end if;
                    return new;
                end $$""".formatted(patient)).update();
        jdbc.sql("create trigger test_refuse_audit before insert on audit_entry for each row execute function test_refuse_audit()").update();
        try {
            Api doc = as("physician");
            Api.Response chart = doc.get("/api/patients/" + patient + "/chart");
            assertThat(chart.status()).isEqualTo(503);
            assertThat(chart.body()).doesNotContain(family);
            assertThat(chart.json().get("detail").asString()).isNotBlank();

            Api.Response note = doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "t", "body", "b"));
            assertThat(note.status()).isEqualTo(503);
            assertThat(count("clinical_note where patient_id = " + patient)).as("no half-written record").isZero();

            Api.Response search = as("frontdesk").get("/api/patients?name=" + family + "&given=Test");
            assertThat(search.status()).isEqualTo(503);
            assertThat(search.body()).doesNotContain(family);
        } finally {
            jdbc.sql("drop trigger test_refuse_audit on audit_entry").update();
            jdbc.sql("drop function test_refuse_audit()").update();
        }
        assertThat(as("physician").get("/api/patients/" + patient + "/chart").status()).as("back once the trail is").isEqualTo(200);
    }
}
