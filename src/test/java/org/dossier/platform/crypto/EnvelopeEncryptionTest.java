package org.dossier.platform.crypto;

import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Envelope encryption with the server's real keys (a Tink keyset file outside the data directory) and, for what would
 * disturb the shared server (another key-encryption key, a rotation, a lost key), on a throwaway facility inside a
 * transaction rolled back at the end.
 */
class EnvelopeEncryptionTest extends IntegrationTest {

    private static final FieldCipher.Cell NAME_OF_42 = new FieldCipher.Cell(1, "patient", "birth_family_name", 42);

    @Autowired
    FieldCipher cipher;
    @Autowired
    BlindIndex index;
    @Autowired
    KeyEncryptionKeys keks;
    @Autowired
    @Qualifier("owner")
    DataSource owner;

    @TempDir
    Path keyDir;

    private KeyTestBed bed;

    @BeforeEach
    void bed() {
        bed = new KeyTestBed(owner);
    }

    @Test
    void aSealedValueOpensInItsCellAndNowhereElse() {
        byte[] sealed = cipher.seal(NAME_OF_42, "Dupont-Hélène");

        assertThat(cipher.open(NAME_OF_42, sealed)).isEqualTo("Dupont-Hélène");
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("Dupont");
        assertThat(cipher.seal(NAME_OF_42, "Dupont-Hélène")).as("a fresh nonce each time").isNotEqualTo(sealed);
        // moved to another patient, another column, another facility: refused, and the message names the cell, not the value
        assertThatThrownBy(() -> cipher.open(new FieldCipher.Cell(1, "patient", "birth_family_name", 43), sealed))
                .isInstanceOf(FieldCipher.SealedValueException.class).hasMessageContaining("row 43").hasMessageNotContaining("Dupont");
        assertThatThrownBy(() -> cipher.open(new FieldCipher.Cell(1, "patient", "given_names", 42), sealed))
                .isInstanceOf(FieldCipher.SealedValueException.class);
        assertThatThrownBy(() -> cipher.open(new FieldCipher.Cell(2, "patient", "birth_family_name", 42), sealed))
                .isInstanceOf(FieldCipher.SealedValueException.class);
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;
        assertThatThrownBy(() -> cipher.open(NAME_OF_42, altered)).isInstanceOf(FieldCipher.SealedValueException.class);
        assertThat(cipher.seal(NAME_OF_42, null)).isNull();
    }

    @Test
    void theDatabaseHoldsDataKeysOnlyWrappedAndTheKeyEncryptionKeyLivesOutsideTheDataDirectory() throws Exception {
        cipher.seal(NAME_OF_42, "x");
        index.token(1, "family", "dupont");

        var rows = jdbc.sql("select purpose, kek_id, wrapped from data_key where facility_id = 1 order by purpose")
                .query((rs, n) -> new Object[]{rs.getString(1), rs.getString(2), rs.getBytes(3)}).list();
        assertThat(rows).extracting(r -> r[0]).containsExactly("FIELD", "INDEX");
        assertThat(rows).extracting(r -> r[1]).containsOnly(keks.current().id());
        Path kekFile = Path.of(keks.current().toString().replaceAll(".*\\(file (.*)\\)$", "$1"));
        assertThat(kekFile).exists();
        assertThat(kekFile.getParent().getFileName().toString()).endsWith("-keys");
        String kekJson = Files.readString(kekFile);
        String kekValue = kekJson.replaceAll("(?s).*\"value\":\\s*\"([^\"]+)\".*", "$1");
        for (Object[] row : rows) {
            assertThat(HexFormat.of().formatHex((byte[]) row[2])).doesNotContain(HexFormat.of().formatHex(kekValue.getBytes()));
        }
        // the server's own connections may read and wrap keys, never delete one (that would shred a facility)
        assertThatThrownBy(() -> new org.springframework.jdbc.core.JdbcTemplate(appDataSource()).update(
                "delete from data_key where facility_id = 1")).hasRootCauseMessage("ERROR: permission denied for table data_key");
    }

    @Autowired
    DataSource dataSource;

    private DataSource appDataSource() {
        return dataSource;
    }

    /**
     * The bulk loader's keys (ADR 0047): usable at once, on disk when the returned future completes — what the loader waits
     * for before it commits — and then the same keys.
     */
    @Test
    void bulkKeysSealAtOnceAndAreTheSameOnDiskWhenTheLoadMayCommit() throws Exception {
        bed.inRolledBackTransaction(jdbc -> {
            DataKeys keys = KeyTestBed.dataKeys(jdbc, keks);
            PatientKeys store = new PatientKeys(keyDir.resolve("patients"), keys);
            FieldCipher cipher = new FieldCipher(keys, store, null);
            List<Long> patients = java.util.stream.LongStream.rangeClosed(1, 300).boxed().toList();
            var durable = store.prepareDurableLater(KeyTestBed.FACILITY, patients);
            FieldCipher.Cell cell = FieldCipher.Cell.ofPatient(7, KeyTestBed.FACILITY, "patient", "birth_family_name", 7);
            byte[] sealed = cipher.seal(cell, "Lefèvre");
            durable.join();
            assertThat(java.nio.file.Files.exists(store.keyFile(KeyTestBed.FACILITY, 7))).as("no file per patient").isFalse();
            assertThat(java.nio.file.Files.exists(new KeyPacks(store.store()).pack(KeyTestBed.FACILITY, 7))).as("a pack").isTrue();
            FieldCipher restarted = new FieldCipher(keys, new PatientKeys(keyDir.resolve("patients"), keys), null);
            assertThat(restarted.open(cell, sealed)).as("the key on disk is the one sealed with").isEqualTo("Lefèvre");

        });
    }

    /**
     * A bulk-loaded patient's key lives in a pack with some thousands of others (ADR 0057). Shredding takes it out of the
     * pack's bytes, not just out of use; its neighbours still open; a node that had it cached sees the tombstone at once;
     * two nodes shredding patients of the same pack at the same time lose neither shredding.
     */
    @Test
    void aShreddedPatientsKeyLeavesItsPackAndItsNeighboursStay() {
        bed.inRolledBackTransaction(jdbc -> {
            DataKeys keys = KeyTestBed.dataKeys(jdbc, keks);
            Path dir = keyDir.resolve("packed");
            PatientKeys node = new PatientKeys(dir, keys);
            PatientKeys otherNode = new PatientKeys(dir, keys);
            List<Long> patients = java.util.stream.LongStream.rangeClosed(8_001, 8_100).boxed().toList();
            node.prepareDurableLater(KeyTestBed.FACILITY, patients).join();
            FieldCipher here = new FieldCipher(keys, node, null);
            FieldCipher there = new FieldCipher(keys, otherNode, null);
            java.util.Map<Long, byte[]> sealed = new java.util.HashMap<>();
            patients.forEach(id -> sealed.put(id, here.seal(nameOf(id), "Lefèvre " + id)));
            assertThat(there.open(nameOf(8_007), sealed.get(8_007L))).as("read, so cached, on the other node").isEqualTo("Lefèvre 8007");
            KeyPacks packs = new KeyPacks(dir);
            Path pack = packs.pack(KeyTestBed.FACILITY, 8_007);
            byte[] wrapped = packs.read(KeyTestBed.FACILITY, 8_007);
            assertThat(indexOf(read(pack), wrapped)).as("the pack holds the wrapped key").isNotNegative();

            assertThat(node.shred(KeyTestBed.FACILITY, 8_007, java.time.Instant.now())).isTrue();
            assertThat(indexOf(read(pack), wrapped)).as("gone from the pack's bytes").isNegative();
            assertThatThrownBy(() -> there.open(nameOf(8_007), sealed.get(8_007L))).as("the node that had it cached")
                    .isInstanceOf(ErasedValueException.class);
            FieldCipher restarted = new FieldCipher(keys, new PatientKeys(dir, keys), null);
            assertThatThrownBy(() -> restarted.open(nameOf(8_007), sealed.get(8_007L))).isInstanceOf(ErasedValueException.class);
            assertThat(restarted.open(nameOf(8_008), sealed.get(8_008L))).as("a neighbour in the same pack").isEqualTo("Lefèvre 8008");

            // two nodes, twenty shreddings each, at the same time, in the same pack
            List<Long> first = patients.subList(10, 30);
            List<Long> second = patients.subList(30, 50);
            java.util.concurrent.CompletableFuture<Void> a = java.util.concurrent.CompletableFuture.runAsync(
                    () -> first.forEach(id -> node.shred(KeyTestBed.FACILITY, id, java.time.Instant.now())));
            java.util.concurrent.CompletableFuture<Void> b = java.util.concurrent.CompletableFuture.runAsync(
                    () -> second.forEach(id -> otherNode.shred(KeyTestBed.FACILITY, id, java.time.Instant.now())));
            a.join();
            b.join();
            for (long id : patients) {
                boolean shredded = id == 8_007 || first.contains(id) || second.contains(id);
                assertThat(packs.read(KeyTestBed.FACILITY, id) == null).as("patient " + id + " shredded: " + shredded).isEqualTo(shredded);
            }
            // a second load with a patient the store already holds a key for is refused whole
            assertThatThrownBy(() -> node.prepareDurableLater(KeyTestBed.FACILITY, List.of(9_000L, 8_090L)).join())
                    .hasMessageContaining("already holds a key for patient 8090");
            assertThat(packs.read(KeyTestBed.FACILITY, 9_000)).as("nothing added").isNull();
        });
    }

    private static FieldCipher.Cell nameOf(long patient) {
        return FieldCipher.Cell.ofPatient(patient, KeyTestBed.FACILITY, "patient", "birth_family_name", patient);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void anotherKeyEncryptionKeyOpensNothing() {
        bed.inRolledBackTransaction(jdbc -> {
            KeyEncryptionKey mine = KeyTestBed.fileKek(keyDir, "mine");
            FieldCipher.Cell cell = new FieldCipher.Cell(KeyTestBed.FACILITY, "patient", "given_names", 7);
            byte[] sealed = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(mine, null))).seal(cell, "Hélène");

            KeyEncryptionKey stranger = KeyTestBed.fileKek(keyDir, "stranger");
            FieldCipher theirs = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(stranger, null)));
            assertThatThrownBy(() -> theirs.open(cell, sealed)).hasMessageContaining("which this server does not hold")
                    .hasMessageContaining(mine.id());
            // the same key id with another value (a forged or swapped key file) does not unwrap either
            KeyEncryptionKey impostor = new KeyEncryptionKey() {
                public String id() {
                    return mine.id();
                }

                public byte[] encrypt(byte[] p, byte[] a) throws java.security.GeneralSecurityException {
                    return stranger.encrypt(p, a);
                }

                public byte[] decrypt(byte[] c, byte[] a) throws java.security.GeneralSecurityException {
                    return stranger.decrypt(c, a);
                }
            };
            FieldCipher forged = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(impostor, null)));
            assertThatThrownBy(() -> forged.open(cell, sealed)).hasMessageContaining("does not unwrap");
        });
    }

    @Test
    void aKeyEncryptionKeyRotationRewrapsEveryDataKeyAndTheOldKeyCanThenGo() {
        bed.inRolledBackTransaction(jdbc -> {
            KeyEncryptionKey old = KeyTestBed.fileKek(keyDir, "old");
            KeyEncryptionKey next = KeyTestBed.fileKek(keyDir, "next");
            FieldCipher.Cell cell = new FieldCipher.Cell(KeyTestBed.FACILITY, "patient", "birth_family_name", 8);
            DataKeys before = KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(old, null));
            byte[] sealed = new FieldCipher(before).seal(cell, "Martin");
            byte[] token = new BlindIndex(before).token(KeyTestBed.FACILITY, "family", "martin");

            DataKeys during = KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(next, old));
            assertThat(during.rewrapAll()).isGreaterThanOrEqualTo(2);
            assertThat(jdbc.sql("select count(*) from data_key where kek_id = ?").param(old.id()).query(Long.class).single()).isZero();
            assertThat(during.rewrapAll()).as("nothing left to re-wrap").isZero();

            DataKeys after = KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(next, null));
            assertThat(new FieldCipher(after).open(cell, sealed)).as("the data itself is untouched").isEqualTo("Martin");
            assertThat(new BlindIndex(after).token(KeyTestBed.FACILITY, "family", "martin")).isEqualTo(token);
            FieldCipher oldOnly = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(old, null)));
            assertThatThrownBy(() -> oldOnly.open(cell, sealed)).hasMessageContaining("which this server does not hold");
        });
    }

    @Test
    void aWrappedDataKeyMovedToAnotherFacilityDoesNotUnwrap() {
        bed.inRolledBackTransaction(jdbc -> {
            KeyEncryptionKey kek = KeyTestBed.fileKek(keyDir, "kek");
            DataKeys keys = KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(kek, null));
            new FieldCipher(keys).seal(new FieldCipher.Cell(KeyTestBed.FACILITY, "patient", "ipp", 1), "x");
            jdbc.sql("insert into facility (id, finess, name, city) values (9902, '990299029', 'Other bed', 'Nowhere')").update();
            jdbc.sql("insert into data_key (facility_id, purpose, kek_id, wrapped, created_at, wrapped_at)"
                    + " select 9902, purpose, kek_id, wrapped, created_at, wrapped_at from data_key where facility_id = ?")
                    .param(KeyTestBed.FACILITY).update();
            FieldCipher fresh = new FieldCipher(KeyTestBed.dataKeys(jdbc, new KeyEncryptionKeys(kek, null)));
            assertThatThrownBy(() -> fresh.seal(new FieldCipher.Cell(9902, "patient", "ipp", 1), "x"))
                    .hasMessageContaining("does not unwrap");
        });
    }

    @Test
    void blindIndexesAreKeyedPerFacilityAndKindAndRevealOnlyEquality() {
        byte[] dupont = index.token(1, "family", "dupont");
        assertThat(index.token(1, "family", "dupont")).isEqualTo(dupont).hasSize(16);
        assertThat(index.token(2, "family", "dupont")).as("another facility's key").isNotEqualTo(dupont);
        assertThat(index.token(1, "used", "dupont")).as("another kind").isNotEqualTo(dupont);
        assertThat(index.prefixTokens(1, "family", "dupont")).hasSize(4)
                .anySatisfy(t -> assertThat(t).isEqualTo(index.searchToken(1, "family", "dup")))
                .anySatisfy(t -> assertThat(t).isEqualTo(dupont));
        assertThat(index.prefixTokens(1, "family", "de la fontaine-dupontel")).hasSize(BlindIndex.MAX_PREFIX - BlindIndex.MIN_PREFIX + 1)
                .anySatisfy(t -> assertThat(t).isEqualTo(index.searchToken(1, "family", "de la fontaine")));
        assertThat(index.prefixTokens(1, "family", "li")).isEmpty();
        assertThatThrownBy(() -> index.searchToken(1, "family", "du")).isInstanceOf(IllegalArgumentException.class);
    }
}
