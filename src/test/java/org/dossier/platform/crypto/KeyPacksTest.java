package org.dossier.platform.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key packs' file format and locks (ADR 0057), without a server: what another node or a damaged file does. */
class KeyPacksTest {

    private static final int FACILITY = 3;

    @TempDir
    Path store;

    @Test
    void anotherProcessHoldingThePackWaitsTheChangeOut() throws Exception {
        KeyPacks packs = new KeyPacks(store);
        packs.add(FACILITY, keys(10, 11, 12));
        Path lock = packs.pack(FACILITY, 10).resolveSibling("0.pack.lock");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), PackLockHolder.class.getName(), lock.toString(), "1500").start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("locked");
            long start = System.nanoTime();
            assertThat(packs.remove(FACILITY, 11)).isTrue();
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMs).as("the shredding waited for the other node's change").isGreaterThanOrEqualTo(1_000);
        } finally {
            other.destroy();
        }
        assertThat(packs.read(FACILITY, 11)).isNull();
        assertThat(packs.read(FACILITY, 12)).isEqualTo(key(12));
    }

    @Test
    void aShreddingThatStoppedHalfWayIsFinishedByTheNextChange() throws Exception {
        java.util.Set<Long> tombstones = new java.util.HashSet<>();
        KeyPacks packs = new KeyPacks(store, (facility, patient) -> tombstones.contains(patient));
        packs.add(FACILITY, keys(20, 21, 22));
        // tombstone written, then the node died before the pack was rewritten; and its temporary copy was left behind
        tombstones.add(21L);
        Path pack = packs.pack(FACILITY, 20);
        Path leftover = pack.resolveSibling(pack.getFileName() + ".4b0c.tmp");
        Files.copy(pack, leftover);

        packs.remove(FACILITY, 22);

        assertThat(packs.read(FACILITY, 21)).as("the half-shredded patient's key").isNull();
        assertThat(packs.read(FACILITY, 20)).isEqualTo(key(20));
        assertThat(leftover).as("the temporary full copy").doesNotExist();
    }

    @Test
    void aDamagedPackIsRefusedNeverMisread() throws Exception {
        KeyPacks packs = new KeyPacks(store);
        packs.add(FACILITY, keys(30, 31, 32));
        Path pack = packs.pack(FACILITY, 30);
        byte[] good = Files.readAllBytes(pack);

        byte[] cut = java.util.Arrays.copyOf(good, good.length - 10);
        Files.write(pack, cut);
        assertThatThrownBy(() -> packs.read(FACILITY, 32)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("key pack");
        assertThatThrownBy(() -> packs.remove(FACILITY, 30)).isInstanceOf(UncheckedIOException.class);

        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).putInt(8, Integer.MAX_VALUE);
        Files.write(pack, huge);
        assertThatThrownBy(() -> packs.read(FACILITY, 31)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("record count");

        byte[] unsorted = good.clone();
        // swap the ids of the first and last records: the index is out of order
        ByteBuffer b = ByteBuffer.wrap(unsorted);
        long first = b.getLong(12);
        b.putLong(12, b.getLong(12 + 2 * 16));
        b.putLong(12 + 2 * 16, first);
        Files.write(pack, unsorted);
        assertThatThrownBy(() -> packs.read(FACILITY, 30)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("out of order");
        assertThatThrownBy(() -> packs.remove(FACILITY, 31)).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void aLoadWithAPatientAlreadyPackedWritesNothing() {
        KeyPacks packs = new KeyPacks(store);
        packs.add(FACILITY, keys(4_095));
        // 1 is in block 0 (already holding 4095's key... and 1's), 5000 in block 1: refused before block 1 is written
        packs.add(FACILITY, keys(1));
        assertThatThrownBy(() -> packs.add(FACILITY, keys(5_000, 1))).hasMessageContaining("already holds a key for patient 1");
        assertThat(packs.read(FACILITY, 5_000)).isNull();
        assertThat(Files.exists(packs.pack(FACILITY, 5_000))).isFalse();
    }

    private static Map<Long, byte[]> keys(long... ids) {
        Map<Long, byte[]> keys = new TreeMap<>();
        for (long id : ids) {
            keys.put(id, key(id));
        }
        return keys;
    }

    private static byte[] key(long id) {
        return ("wrapped key of " + id).getBytes(StandardCharsets.UTF_8);
    }
}
