package org.dossier.patient;

import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.KeyEncryptionKeys;
import org.dossier.platform.crypto.PatientKeys;
import org.dossier.platform.crypto.WrongKeys;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.PatientJson;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Crypto-shredding (ADR 0047): a patient's sealed details and versions are sealed with the patient's own key, kept in a
 * key store outside the database; two people erase it, and then the live server reads the patient's data as erased
 * (never a 500) and a copy of the database taken before the erasure, restored, opens for nobody holding the server's
 * keys — except whoever kept a copy of the key store itself from before (its backups' retention: the erasure delay).
 */
class CryptoShreddingTest extends IntegrationTest {

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    KeyEncryptionKeys keks;
    @Autowired
    PatientKeys patientKeys;

    @TempDir
    Path keyStoreBackup;

    record Row(long id, int facilityId, int version, byte[] sealed) {
    }

    @Test
    void twoPeopleShredAPatientAndNoCopyOfTheDatabaseOpensItAgain() throws Exception {
        long patient = fixtures().patientInCare();
        int facility = jdbc.sql("select facility_id from patient where id = ?").param(patient).query(Integer.class).single();
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).contains("0639981234");
        Path store = WrongKeys.patientStoreOf(patientKeys);
        assertThat(Files.exists(store.resolve(facility + "/" + patient % 1000 + "/" + patient + ".key"))).isTrue();
        copyTree(store, keyStoreBackup);
        Map<String, byte[]> dump = copyOut("patient", "patient_version");
        String family = identity(patient).birthFamilyName();
        String searchByName = "/api/patients?name=" + family.substring(0, 4) + "&birthDate=" + identity(patient).birthDate();
        assertThat(as("frontdesk").get(searchByName).body()).as("found before").contains("\"id\":" + patient);

        long erasure = askedAndConfirmed(patient);

        // The name, birth date and identifiers are sealed with the patient's key too: erased with it, and no longer found.
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).doesNotContain(family).contains("(erased)");
        Api.Response search = as("frontdesk").get(searchByName);
        assertThat(search.status()).as(search.toString()).isEqualTo(200);
        assertThat(search.body()).as("a search no longer confirms a guess").doesNotContain("\"id\":" + patient);
        assertThat(jdbc.sql("select coalesce(cardinality(search_tokens), 0) from patient where id = ?").param(patient).query(Integer.class)
                .single()).as("the blind-index tokens are emptied").isZero();
        assertThat(BrowserSession.signedIn(port, "physician").page("/patients/" + patient).status()).as("the chart page").isEqualTo(200);

        Api.Response read = as("frontdesk").get("/api/patients/" + patient);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.body()).doesNotContain("0639981234").doesNotContain("test@example.fr");
        Api.Response history = as("frontdesk").get("/api/patients/" + patient + "/history");
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        assertThat(history.body()).doesNotContain("0639981234").contains("\"data\":null");
        Api.Response chart = as("physician").get("/api/patients/" + patient + "/chart");
        assertThat(chart.status()).as(chart.toString()).isEqualTo(200);
        Api.Response fhir = as("physician").get("/fhir/Patient/" + patient);
        assertThat(fhir.status()).as(fhir.toString()).isEqualTo(200);
        assertThat(fhir.body()).doesNotContain("0639981234").doesNotContain("Garibaldi");
        Map<String, Object> change = PatientJson.provisional("Fixtureshred", "Test", "1970-01-02", "F");
        Api.Response write = as("frontdesk").put("/api/patients/" + patient, Map.of("version", 1, "patient", change, "reason", "typo"));
        assertThat(write.status()).as("a write to an erased patient: " + write).isEqualTo(409);

        List<Row> restored = restoredRowsOf(dump, patient);
        assertThat(restored).hasSizeGreaterThanOrEqualTo(2);
        FieldCipher backupAndKek = WrongKeys.withoutPatientKeys(jdbc, keks);
        for (Row row : restored) {
            assertThatThrownBy(() -> cipher.open(cell(row), row.sealed())).as("the server itself").isInstanceOf(ErasedValueException.class);
            assertThatThrownBy(() -> backupAndKek.open(cell(row), row.sealed())).as("the backup and the KEK")
                    .isInstanceOf(FieldCipher.SealedValueException.class);
        }
        // What the key store's own backups mean: a copy of it from before the erasure still opens, until it ages out.
        FieldCipher oldKeyStore = WrongKeys.withPatientStore(jdbc, keks, keyStoreBackup);
        assertThat(oldKeyStore.open(cell(restored.get(0)), restored.get(0).sealed())).contains("0639981234");

        assertThat(jdbc.sql("select status, ground from patient_erasure where id = ?").param(erasure).query().singleRow())
                .containsEntry("status", "SHREDDED").containsEntry("ground", "RETENTION_ENDED");
        assertThat(jdbc.sql("select count(*) from audit_entry where patient_id = ? and action = 'delete' and detail like 'crypto-shredd%'")
                .param(patient).query(Long.class).single()).isEqualTo(2);
    }

    /** Asked by the security officer, refused to whoever may not, confirmed by an administrator; refusals audited. */
    private long askedAndConfirmed(long patient) {
        Map<String, Object> ask = Map.of("ground", "RETENTION_ENDED");
        assertThat(as("physician").post("/api/patients/" + patient + "/erasure", ask).status()).isEqualTo(403);
        assertThat(as("admin").post("/api/patients/" + patient + "/erasure", ask).status()).isEqualTo(403);
        assertThat(as("security").post("/api/patients/" + patient + "/erasure", Map.of()).status()).isEqualTo(422);
        Api.Response asked = as("security").post("/api/patients/" + patient + "/erasure", ask);
        assertThat(asked.status()).as(asked.toString()).isEqualTo(201);
        long erasure = asked.json().get("id").asLong();
        assertThat(as("security").post("/api/patients/" + patient + "/erasure", ask).status()).as("twice").isEqualTo(409);

        Api.Response self = as("security").post("/api/access/erasures/" + erasure + "/confirm", Map.of());
        assertThat(self.status()).as("the one who asked cannot confirm: " + self).isEqualTo(403);
        assertThat(as("physician").post("/api/access/erasures/" + erasure + "/confirm", Map.of()).status()).isEqualTo(403);
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).as("nothing erased yet").contains("0639981234");
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username in ('security', 'physician') and decision = 'DENY'"
                + " and detail like ?").param("%/api/access/erasures/" + erasure + "/confirm%").query(Long.class).single())
                .as("the refused confirmations, audited").isEqualTo(2);

        Api.Response confirmed = as("admin").post("/api/access/erasures/" + erasure + "/confirm", Map.of());
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(confirmed.json().get("status").asString()).isEqualTo("SHREDDED");
        assertThat(as("admin2").post("/api/access/erasures/" + erasure + "/confirm", Map.of()).status()).as("once").isEqualTo(409);
        return erasure;
    }

    @Test
    void anErasureWithdrawnShredsNothing() {
        long patient = fixtures().patient();
        long erasure = as("security").post("/api/patients/" + patient + "/erasure", Map.of("ground", "PATIENT_REQUEST")).json()
                .get("id").asLong();
        assertThat(as("security").post("/api/access/erasures/" + erasure + "/withdraw", Map.of()).status()).isEqualTo(200);
        assertThat(as("admin").post("/api/access/erasures/" + erasure + "/confirm", Map.of()).status()).isEqualTo(409);
        assertThat(as("frontdesk").get("/api/patients/" + patient).body()).contains("0639981234");
        assertThat(as("security").get("/api/access/erasures").body()).contains("\"patientId\":" + patient).contains("WITHDRAWN");
        assertThat(as("admin").get("/api/access/erasures").status()).as("the register is the officer's oversight view").isEqualTo(403);
    }

    private static FieldCipher.Cell cell(Row row) {
        return row.version() == 0 ? PatientRows.detailsCell(row.id(), row.facilityId())
                : PatientRows.versionCell(row.id(), row.facilityId(), row.version());
    }

    /** The tables as a backup holds them: COPY out, as their owner would. */
    private Map<String, byte[]> copyOut(String... tables) throws Exception {
        Map<String, byte[]> dump = new java.util.LinkedHashMap<>();
        try (Connection c = owner.getConnection()) {
            for (String table : tables) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy " + table + " to stdout", out);
                dump.put(table, out.toByteArray());
            }
        }
        return dump;
    }

    /** The copy restored into tables of the same shape, then the patient's sealed values read from them. */
    private List<Row> restoredRowsOf(Map<String, byte[]> dump, long patient) throws Exception {
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            var copier = c.unwrap(PGConnection.class).getCopyAPI();
            for (var table : dump.entrySet()) {
                c.createStatement().execute("create temp table restored_" + table.getKey() + " (like " + table.getKey() + ") on commit drop");
                copier.copyIn("copy restored_" + table.getKey() + " from stdin", new ByteArrayInputStream(table.getValue()));
            }
            JdbcClient restored = JdbcClient.create(new org.springframework.jdbc.datasource.SingleConnectionDataSource(c, true));
            List<Row> rows = Stream.concat(
                    restored.sql("select id, facility_id, 0, sealed_details from restored_patient where id = ?").param(patient)
                            .query((rs, n) -> new Row(rs.getLong(1), rs.getInt(2), 0, rs.getBytes(4))).list().stream(),
                    restored.sql("select patient_id, facility_id, version, sealed_snapshot from restored_patient_version where patient_id = ?")
                            .param(patient).query((rs, n) -> new Row(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getBytes(4))).list().stream())
                    .toList();
            c.rollback();
            return rows;
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
