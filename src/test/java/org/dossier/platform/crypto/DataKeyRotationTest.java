package org.dossier.platform.crypto;

import org.dossier.patient.PatientRows;
import org.dossier.platform.FacilityScope;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data-key rotation (ADR 0047): a facility's sealing key is rotated while values written before patients had keys, and
 * before V50 in clear, are still there; new writes use the new key at once; the re-encryption job runs two batches, the
 * node "restarts" (a job, data keys and patient keys of its own, with nothing cached) and resumes from the stored cursor;
 * every value reads the same before, during and after; at the end no value is under the old key nor in clear. The
 * background job is off here so that the test drives the batches; {@code -Drotation.patients=N} sizes the demo hospital
 * for a measurement (values per second printed).
 */
@TestPropertySource(properties = {"dossier.demo.patients=${rotation.patients:120}", "dossier.keys.rotation.background=false"})
class DataKeyRotationTest extends IntegrationTest {

    private static final int FACILITY = 2;

    @Autowired
    FieldCipher cipher;
    @Autowired
    DataKeys dataKeys;
    @Autowired
    PatientKeys patientKeys;
    @Autowired
    KeyEncryptionKeys keks;
    @Autowired
    List<SealedValues> tables;
    @Autowired
    JdbcClient appJdbc;
    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void newWritesUseTheNewKeyAndTheJobResealsEverythingResumingAfterARestart() throws Exception {
        List<Long> patients = jdbc.sql("select id from patient where facility_id = ? order by id").param(FACILITY).query(Long.class).list();
        assertThat(patients).hasSizeGreaterThan(20);
        int legacy = Integer.getInteger("rotation.patients") == null ? 12 : patients.size();
        makeLegacy(patients.subList(0, legacy));
        Map<FieldCipher.Cell, String> expected = everyValue();
        byte[] oldPrefix = dataKeys.primaryPrefix(FACILITY);

        DataKeyRotation.Progress started = job(cipher, 10).start(FACILITY);
        byte[] newPrefix = dataKeys.primaryPrefix(FACILITY);
        assertThat(newPrefix).isNotEqualTo(oldPrefix);
        assertThat(startsWith(cipher.seal(new FieldCipher.Cell(FACILITY, "t", "c", 1), "new"), newPrefix)).as("new writes").isTrue();
        assertReads(expected, cipher);

        long t0 = System.nanoTime();
        // Every module's sealed tables are worked through in name order: run until two batches of the registry are done.
        int ran = 0;
        while (registryCursor(started.id()) == 0 && ran < 10_000) {
            ran += job(cipher, 10).work(1);
        }
        assertThat(job(cipher, 10).work(1)).isEqualTo(1);
        long firstTwo = System.nanoTime() - t0;
        long cursor = registryCursor(started.id());
        assertThat(cursor).as("stopped mid-way").isGreaterThan(patients.get(0)).isLessThan(patients.get(patients.size() - 1));
        assertThat(job(cipher, 10).progress(started.id()).orElseThrow().finishedAt()).isNull();
        assertReads(expected, cipher);

        // a restarted node: nothing cached, the same database and key store
        DataKeys fresh = KeyTestBed.dataKeys(appJdbc, keks);
        FieldCipher restarted = new FieldCipher(fresh, new PatientKeys(patientKeys.store(), fresh), null);
        assertReads(expected, restarted);
        long t1 = System.nanoTime();
        int batches = 2 + job(restarted, Integer.getInteger("rotation.batch", 10)).work(1_000_000);
        long ms = Duration.ofNanos(firstTwo + System.nanoTime() - t1).toMillis();

        DataKeyRotation.Progress done = job(restarted, 10).progress(started.id()).orElseThrow();
        assertThat(done.finishedAt()).as("finished").isNotNull();
        assertThat(done.sealedClear()).as("pre-V50 clear values sealed").isGreaterThanOrEqualTo(legacy / 2 * 2L);
        assertThat(done.resealed()).as("values of the old key sealed again").isGreaterThanOrEqualTo(legacy - legacy / 2);
        assertReads(expected, cipher);
        assertReads(expected, restarted);
        Map<FieldCipher.Cell, byte[]> stored = stored();
        stored.forEach((cell, sealed) -> {
            assertThat(sealed).as("sealed: " + cell).isNotNull();
            // a break-the-glass justification is the facility's (ADR 0055), under its new primary key
            byte[] current = cell.patientId() == null ? dataKeys.primaryPrefix(FACILITY) : patientKeys.prefix(FACILITY, cell.patientId());
            assertThat(startsWith(sealed, current)).as("under the patient's key, or the facility's new one: " + cell).isTrue();
        });
        assertThat(jdbc.sql("select count(*) from patient where details is not null").query(Long.class).single()).isZero();
        long values = done.resealed() + done.sealedClear() + done.patientKeys();
        System.out.printf("DataKeyRotationTest (the job's batches only): %d patients of facility %d (%d values) in %d batches (10 patients, then %d), %d ms: %d re-sealed,"
                        + " %d sealed from clear, %d patient keys re-wrapped; %.0f values/s, %.0f patients/s%n", patients.size(), FACILITY,
                stored.size(), batches, Integer.getInteger("rotation.batch", 10), ms, done.resealed(), done.sealedClear(), done.patientKeys(), values * 1000.0 / Math.max(ms, 1),
                patients.size() * 1000.0 / Math.max(ms, 1));
    }

    @Test
    void anAdministratorOrTheSecurityOfficerRotatesAFacilitysKeyWithAFreshSecondFactorOthersAreRefusedAndAudited() {
        String path = "/api/access/data-keys/3/rotation";
        assertThat(as("physician").post(path, Map.of()).status()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = 'physician' and decision = 'DENY' and detail like ?")
                .param("%" + path + "%").query(Long.class).single()).as("the refusal, audited").isEqualTo(1);
        var started = as("admin").post(path, Map.of());
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        long id = started.json().get("id").asLong();
        assertThat(as("security").post(path, Map.of()).status()).as("one at a time").isEqualTo(409);
        assertThat(as("physician").get("/api/access/data-keys/rotations/" + id).status()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from audit_entry where actor_username = 'admin' and detail like ?")
                .param("data key of facility 3 rotated (rotation " + id + "%").query(Long.class).single()).isEqualTo(1);
        // finished here, so that the other test's batches are its own
        job(cipher, 500).work(1_000);
        var progress = as("admin").get("/api/access/data-keys/rotations/" + id);
        assertThat(progress.status()).as(progress.toString()).isEqualTo(200);
        assertThat(progress.json().get("finishedAt").isNull()).isFalse();
    }

    private DataKeyRotation job(FieldCipher with, int batchSize) {
        return new DataKeyRotation(appJdbc, transactions, with == cipher ? dataKeys : keysOf(with), with == cipher ? patientKeys
                : patientKeysOf(with), with, tables, Clock.systemUTC(), batchSize, false, Duration.ofSeconds(5));
    }

    private static DataKeys keysOf(FieldCipher c) {
        return c.keys();
    }

    private static PatientKeys patientKeysOf(FieldCipher c) {
        return c.patientKeys();
    }

    /**
     * As rows were before this slice: half of them sealed with the facility key (and, for some, no patient key yet), half
     * in clear as before V50, details and first version alike.
     */
    private void makeLegacy(List<Long> ids) throws Exception {
        java.util.Set<Long> keyless = new java.util.HashSet<>();
        for (int i = 1; i < ids.size(); i += 4) {
            keyless.add(ids.get(i));
        }
        sealedWithTheFacilityKey(keyless);
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            String details = cipher.open(PatientRows.detailsCell(id, FACILITY), detailsOf(id));
            String snapshot = cipher.open(PatientRows.versionCell(id, FACILITY, 1), snapshotOf(id));
            if (i % 2 == 0) {
                jdbc.sql("update patient set details = ?::json, sealed_details = null where id = ?").param(details).param(id).update();
                jdbc.sql("update patient_version set snapshot = ?::json, sealed_snapshot = null where patient_id = ? and version = 1")
                        .param(snapshot).param(id).update();
            } else {
                jdbc.sql("update patient set sealed_details = ? where id = ?")
                        .param(cipher.seal(new FieldCipher.Cell(FACILITY, "patient", "details", id), details)).param(id).update();
                jdbc.sql("update patient_version set sealed_snapshot = ? where patient_id = ? and version = 1")
                        .param(cipher.seal(new FieldCipher.Cell(FACILITY, "patient_version", "snapshot/1", id), snapshot)).param(id).update();
            }
            if (i % 4 == 1) {
                // as if they never had a key: neither a file nor a pack's record, nor a tombstone
                Files.deleteIfExists(patientKeys.keyFile(FACILITY, id));
                new KeyPacks(patientKeys.store()).remove(FACILITY, id);
            }
        }
        // a packed key stays cached until a tombstone says otherwise: this node forgets what it had read
        patientKeys.forget();
    }

    /**
     * A patient without a key was written before ADR 0047: their values in the other modules' tables were sealed with the
     * facility key then (the registry's are made so above).
     */
    private void sealedWithTheFacilityKey(java.util.Set<Long> patients) {
        for (SealedValues table : tables) {
            if (table.name().equals("patient")) {
                continue;
            }
            for (SealedValues.Value v : FacilityScope.asSystem(() -> table.after(FACILITY, 0, Integer.MAX_VALUE))) {
                if (v.sealed() != null && v.cell().patientId() != null && patients.contains(v.cell().patientId())) {
                    // as bytes: a document's file is no text
                    byte[] clear = cipher.openBytes(v.cell(), v.sealed());
                    FieldCipher.Cell facilityCell = new FieldCipher.Cell(FACILITY, v.cell().table(), v.cell().column(), v.cell().rowId());
                    assertThat(FacilityScope.asSystem(() -> table.replace(v, cipher.sealBytes(facilityCell, clear)))).isTrue();
                }
            }
        }
    }

    private byte[] detailsOf(long id) {
        return jdbc.sql("select sealed_details from patient where id = ?").param(id).query(byte[].class).single();
    }

    private byte[] snapshotOf(long id) {
        return jdbc.sql("select sealed_snapshot from patient_version where patient_id = ? and version = 1").param(id).query(byte[].class).single();
    }

    /** Every value of the facility as the registry reads it: sealed ones opened, clear ones as stored. */
    private Map<FieldCipher.Cell, String> everyValue() {
        Map<FieldCipher.Cell, String> values = new LinkedHashMap<>();
        for (SealedValues table : tables) {
            for (SealedValues.Value v : FacilityScope.asSystem(() -> table.after(FACILITY, 0, Integer.MAX_VALUE))) {
                values.put(v.cell(), v.sealed() == null ? v.clear() : cipher.open(v.cell(), v.sealed()));
            }
        }
        return values;
    }

    private Map<FieldCipher.Cell, byte[]> stored() {
        Map<FieldCipher.Cell, byte[]> values = new LinkedHashMap<>();
        tables.forEach(t -> FacilityScope.asSystem(() -> t.after(FACILITY, 0, Integer.MAX_VALUE)).forEach(v -> values.put(v.cell(), v.sealed())));
        return values;
    }

    private void assertReads(Map<FieldCipher.Cell, String> expected, FieldCipher with) {
        Map<FieldCipher.Cell, byte[]> now = stored();
        String clear = null;
        for (var e : expected.entrySet()) {
            byte[] sealed = now.get(e.getKey());
            if (sealed != null) {
                assertThat(with.open(e.getKey(), sealed)).as("reads " + e.getKey()).isEqualTo(e.getValue());
            } else {
                clear = e.getValue();
            }
        }
        assertThat(clear == null || !clear.isEmpty()).isTrue();
    }

    private static boolean startsWith(byte[] value, byte[] prefix) {
        return prefix != null && value.length >= prefix.length && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Where the job is in the registry's table ({@code patient}) of the rotation. */
    private long registryCursor(long rotationId) {
        return jdbc.sql("select after_cursor from data_key_rotation_progress where rotation_id = ? and sealed_values = 'patient'")
                .param(rotationId).query(Long.class).single();
    }
}
