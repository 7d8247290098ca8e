package org.dossier.patient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof of encryption at rest on a backup (issue 22, ADR 0054): the real {@code pg_basebackup} of the test's own
 * cluster (plain: the data directory's files as a replica or a restore would have them, with the WAL streamed during
 * the backup), every file searched byte by byte for the same values as {@link DumpScanTest}. Unlike a dump, a backup
 * also holds indexes, TOAST, rows deleted or updated but not yet vacuumed, free space and WAL: a value once written in
 * clear would be found here after it was sealed. Each file is told by the relation it stores (a table's own file, its
 * TOAST and its indexes under the table's name), so the allow-list is {@link #NOT_SEALED_YET}'s.
 * Limit: a value PostgreSQL compressed (a text over about 2 kB, pglz) is not seen in a backup; the dump shows it.
 */
class BaseBackupScanTest extends StolenCopyTest {

    @TempDir
    Path dir;

    @Test
    void theBaseBackupOfTheClusterHoldsNoPatientsValueInClear() throws Exception {
        Wanted wanted = wanted();
        Map<String, String> owners = relationFiles();
        long backing = System.nanoTime();
        Path backup = dir.resolve("backup");
        tools().baseBackup(backup);
        long scanning = System.nanoTime();
        List<String> leaks = new ArrayList<>();
        Map<String, Long> bytesByOwner = new TreeMap<>();
        List<Path> files;
        try (var walk = Files.walk(backup)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        long total = 0;
        for (Path file : files) {
            String relative = backup.relativize(file).toString();
            String owner = ownerOf(relative, owners);
            byte[] data = Files.readAllBytes(file);
            total += data.length;
            bytesByOwner.merge(owner, (long) data.length, Long::sum);
            judge("BaseBackupScanTest", owner, data, wanted.scanner().scan(data), leaks);
        }
        System.out.printf("BaseBackupScanTest: pg_basebackup of %,d bytes (%d files) in %d ms, %,d values looked for, scanned"
                        + " in %d ms%n", total, files.size(), (scanning - backing) / 1_000_000, wanted.values(),
                (System.nanoTime() - scanning) / 1_000_000);
        assertThat(bytesByOwner).as("the backup holds the registry's tables").containsKeys("patient", "patient_version", "pg_wal");
        assertThat(bytesByOwner.get("patient")).as("bytes of the patient table, its TOAST and indexes").isGreaterThan(100_000L);
        assertThat(leaks).as("patients' values in clear in the base backup").isEmpty();
    }

    /**
     * The file of every relation of the database ({@code base/<db oid>/<filenode>}) and the table it belongs to: a
     * table's own, its TOAST table's and index's, and its indexes'. Catalogs keep their own names.
     */
    private Map<String, String> relationFiles() {
        Map<String, String> owners = new HashMap<>();
        jdbc.sql("""
                select pg_relation_filepath(c.oid), coalesce(t.relname, base.relname)
                from pg_class c
                left join pg_index i on i.indexrelid = c.oid
                join pg_class base on base.oid = coalesce(i.indrelid, c.oid)
                left join pg_class t on t.reltoastrelid = base.oid
                where pg_relation_filepath(c.oid) is not null""")
                .query(rs -> {
                    owners.put(rs.getString(1), rs.getString(2));
                });
        assertThat(owners).as("relation files").hasSizeGreaterThan(100);
        return owners;
    }

    /**
     * The table a backup's file belongs to (its segments {@code .1}, and its free-space and visibility maps, with it),
     * "pg_wal" for the WAL, "other database" for the cluster's other databases, else the file's own path.
     */
    private static String ownerOf(String relative, Map<String, String> owners) {
        if (relative.startsWith("pg_wal/")) {
            return "pg_wal";
        }
        String relation = relative.replaceFirst("(_fsm|_vm|_init)?(\\.\\d+)?$", "");
        String owner = owners.get(relation);
        if (owner != null) {
            return owner;
        }
        return relative.startsWith("base/") ? "other database or file: " + relative : relative;
    }
}
