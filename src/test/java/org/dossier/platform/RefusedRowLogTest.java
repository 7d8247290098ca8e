package org.dossier.platform;

import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A row PostgreSQL refuses (a constraint) is reported by its constraint, never by its contents (issue 22): PostgreSQL's
 * DETAIL ("Failing row contains (...)") holds the row in clear, and both the server log ({@code postgresql.log}, in the
 * data directory a backup copies) and the exception that reaches the application's log would carry it.
 */
class RefusedRowLogTest extends IntegrationTest {

    @Value("${dossier.data-dir}")
    String dataDir;

    @Test
    void aRefusedRowIsNamedByItsConstraintInTheExceptionAndInPostgresLogButItsWordsAreNot() throws Exception {
        long patient = fixtures().patient();
        String word = "Journal" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");

        Throwable refused = catchThrowable(() -> jdbc.sql("""
                        insert into care_team_member (facility_id, patient_id, staff_id, role, period_start, status, version, created_at)
                        select p.facility_id, p.id, s.id, ?, now(), 'NOT_A_STATUS', 1, now()
                          from patient p, staff s where p.id = ? and s.username = 'physician'""")
                .param("oncologue " + word).param(patient).update());

        assertThat(refused).as("the row is refused").isNotNull();
        StringBuilder messages = new StringBuilder();
        for (Throwable t = refused; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        assertThat(messages.toString()).as("what the application could log").contains("care_team_member").doesNotContain(word);
        String serverLog = Files.readString(Path.of(dataDir).resolve("postgresql.log"), StandardCharsets.UTF_8);
        assertThat(serverLog).as("PostgreSQL's log").contains("care_team_member").doesNotContain(word);
    }

    @Test
    void theEmbeddedServerLogsNoStatementAndNoParameter() {
        for (var setting : java.util.Map.of("log_error_verbosity", "terse", "log_statement", "none",
                "log_parameter_max_length", "0", "log_parameter_max_length_on_error", "0").entrySet()) {
            assertThat(jdbc.sql("select current_setting(?)").param(setting.getKey()).query(String.class).single())
                    .as(setting.getKey()).isEqualTo(setting.getValue());
        }
    }
}
