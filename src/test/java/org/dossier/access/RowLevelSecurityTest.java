package org.dossier.access;

import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The second wall: SQL run directly as the application's database role, without any service, sees and writes
 * only the facilities its connection is scoped to, and cannot rewrite the audit trail.
 */
class RowLevelSecurityTest extends IntegrationTest {

    @Value("${dossier.data-dir}")
    String dataDir;

    private Connection asApplication() throws Exception {
        String url = jdbc.sql("select 'jdbc:postgresql://127.0.0.1:' || current_setting('port') || '/' || current_database()")
                .query(String.class).single();
        String password = Files.readString(Path.of(dataDir, "app-password")).strip();
        return DriverManager.getConnection(url, "dossier_app", password);
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void withoutAScopeTheApplicationRoleSeesNoPatientAtAll() throws Exception {
        assertThat(count("patient")).isPositive();
        try (Connection c = asApplication(); Statement s = c.createStatement()) {
            assertThat(count(s, "select count(*) from patient")).isZero();
            assertThat(count(s, "select count(*) from clinical_note")).isZero();
            assertThat(count(s, "select count(*) from staff")).as("organization data is not behind the wall").isPositive();
        }
    }

    @Test
    void scopedToOneFacilityItSeesThatFacilityOnlyEvenWithoutAWhereClause() throws Exception {
        long facility2 = count("patient where facility_id = 2");
        assertThat(facility2).isPositive();
        try (Connection c = asApplication(); Statement s = c.createStatement()) {
            s.execute("select set_config('dossier.facilities', '1', false)");
            assertThat(count(s, "select count(*) from patient where facility_id = 2")).isZero();
            assertThat(count(s, "select count(*) from patient")).isEqualTo(count("patient where facility_id = 1"));
            for (String table : List.of("stay", "appointment", "allergy", "problem", "observation", "medication_order", "invoice")) {
                assertThat(count(s, "select count(*) from " + table + " where facility_id <> 1")).as(table).isZero();
            }
            assertThat(s.executeUpdate("update patient set used_name = 'X' where facility_id = 2")).as("no write either").isZero();
            long someoneOfFacility2 = jdbc.sql("select id from patient where facility_id = 2 limit 1").query(Long.class).single();
            assertThatThrownBy(() -> s.execute("insert into allergy (facility_id, patient_id, substance, severity, kind, status, version,"
                    + " recorded_by, created_at, updated_at) values (2, " + someoneOfFacility2 + ", 'x', 'MILD', 'ALLERGY', 'ACTIVE', 1, 1, now(), now())"))
                    .hasMessageContaining("row-level security");
            s.execute("select set_config('dossier.facilities', '1,2', false)");
            assertThat(count(s, "select count(*) from patient where facility_id = 2")).isEqualTo(facility2);
            s.execute("select set_config('dossier.facilities', '1) or (true', false)");
            assertThat(count(s, "select count(*) from patient")).as("a malformed scope sees nothing").isZero();
            s.execute("select set_config('dossier.facilities', '1,2 ', false)");
            assertThat(count(s, "select count(*) from patient")).as("a scope with one malformed part sees nothing").isZero();
            s.execute("select set_config('dossier.facilities', '99999999999', false)");
            assertThat(count(s, "select count(*) from patient")).as("an id out of range is malformed, not an error").isZero();
        }
    }

    @Test
    void theApplicationRoleCanAppendToTheTrailButNotRewriteIt() throws Exception {
        as("frontdesk").get("/api/patients/" + fixtures().patient());
        try (Connection c = asApplication(); Statement s = c.createStatement()) {
            assertThat(count(s, "select count(*) from audit_entry")).isPositive();
            assertThatThrownBy(() -> s.executeUpdate("update audit_entry set detail = 'x' where seq = 1")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("delete from audit_entry where seq = 1")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("truncate audit_entry")).hasMessageContaining("permission denied");
            try (ResultSet rs = s.executeQuery("select rolsuper, rolbypassrls from pg_roles where rolname = current_user")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isFalse();
                assertThat(rs.getBoolean(2)).isFalse();
            }
        }
    }

    @Test
    void everyTableHoldingPatientDataHasTheWall() {
        List<String> unprotected = jdbc.sql("""
                        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                         where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity and c.relname not like 'audit%'
                           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'patient_id' and not a.attisdropped)
                        order by 1""").query(String.class).list();
        assertThat(unprotected).isEmpty();
        assertThat(jdbc.sql("select relrowsecurity from pg_class where relname = 'patient'").query(Boolean.class).single()).isTrue();
    }
}
