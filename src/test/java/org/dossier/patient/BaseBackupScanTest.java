package org.dossier.patient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import org.dossier.support.PhiScanner;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof of encryption at rest on a backup (issue 22, ADR 0054): the real {@code pg_basebackup} of the test's own
 * cluster (plain: the data directory's files as a replica or a restore would have them, with the WAL streamed during
 * the backup), every file searched byte by byte for the same values as {@link DumpScanTest}. Unlike a dump, a backup
 * also holds indexes, TOAST, rows deleted or updated but not yet vacuumed, free space and WAL: a value once written in
 * clear would be found here after it was sealed. Each file is told by the relation it stores (a table's own file, its
 * TOAST and its indexes under the table's name) and judged by {@link #NOT_SEALED_YET}; the WAL, the catalogs (the
 * planner's statistics among them) and the other databases may hold only what an allow-listed table holds; template1
 * shows which words are PostgreSQL's own. Limit: a value PostgreSQL compressed (a text over about 2 kB, pglz) is not
 * seen in a backup; the dump shows it.
 */
class BaseBackupScanTest extends StolenCopyTest {

    @TempDir
    Path dir;

    /** A file of the backup: of a table of ours (judged by its name), of template1 (PostgreSQL's own words), or other. */
    enum Kind { TEMPLATE, TABLE, COPY }

    record BackupFile(Path path, Kind kind, String name) {
    }

    @Test
    void theBaseBackupOfTheClusterHoldsNoPatientsValueInClear() throws Exception {
        Wanted wanted = wanted();
        Map<String, Relation> relations = relationFiles();
        long template1 = jdbc.sql("select oid from pg_database where datname = 'template1'").query(Long.class).single();
        var tools = tools();
        long backing = System.nanoTime();
        Path backup = dir.resolve("backup");
        tools.baseBackup(backup);
        long scanning = System.nanoTime();
        List<BackupFile> files;
        try (var walk = Files.walk(backup)) {
            files = walk.filter(Files::isRegularFile).map(f -> classify(backup, f, relations, template1))
                    .sorted(java.util.Comparator.comparing(BackupFile::kind).thenComparing(BackupFile::path)).toList();
        }
        List<String> leaks = new ArrayList<>();
        Set<PhiScanner.Found> postgresOwnWords = new HashSet<>();
        Set<PhiScanner.Found> allowed = new HashSet<>();
        Map<String, Long> bytesByName = new TreeMap<>();
        long total = 0;
        for (BackupFile file : files) {
            byte[] data = Files.readAllBytes(file.path());
            total += data.length;
            bytesByName.merge(file.name(), (long) data.length, Long::sum);
            Map<PhiScanner.Found, Integer> found = wanted.scanner().scan(data);
            switch (file.kind()) {
                case TEMPLATE -> postgresOwnWords.addAll(found.keySet());
                case TABLE -> allowed.addAll(judge("BaseBackupScanTest", file.name(), data, found, leaks));
                case COPY -> {
                    found.keySet().removeAll(postgresOwnWords);
                    judgeCopies("BaseBackupScanTest", file.name(), data, found, allowed, leaks);
                }
            }
        }
        System.out.printf("BaseBackupScanTest: pg_basebackup of %,d bytes (%d files) in %d ms, %,d values looked for, scanned"
                        + " in %d ms; PostgreSQL's own words set aside: %s%n", total, files.size(), (scanning - backing) / 1_000_000,
                wanted.values(), (System.nanoTime() - scanning) / 1_000_000,
                postgresOwnWords.stream().map(PhiScanner.Found::value).sorted().distinct().toList());
        assertThat(bytesByName).as("the backup holds the registry's tables").containsKeys("patient", "patient_version", "pg_wal");
        assertThat(bytesByName.get("patient")).as("bytes of the patient table, its TOAST and indexes").isGreaterThan(100_000L);
        assertThat(leaks).as("patients' values in clear in the base backup").isEmpty();
    }

    /** A relation file's table, and whether that table is PostgreSQL's (a catalog) rather than ours. */
    record Relation(String table, boolean catalog) {
    }

    /**
     * The file of every relation of the database ({@code base/<db oid>/<filenode>}) and the table it belongs to: a
     * table's own, its TOAST table's and index's, and its indexes'.
     */
    private Map<String, Relation> relationFiles() {
        Map<String, Relation> relations = new HashMap<>();
        jdbc.sql("""
                select pg_relation_filepath(c.oid), coalesce(t.relname, base.relname),
                       coalesce(t.relnamespace, base.relnamespace)::regnamespace::text in ('pg_catalog', 'information_schema')
                from pg_class c
                left join pg_index i on i.indexrelid = c.oid
                join pg_class base on base.oid = coalesce(i.indrelid, c.oid)
                left join pg_class t on t.reltoastrelid = base.oid
                where pg_relation_filepath(c.oid) is not null""")
                .query(rs -> {
                    relations.put(rs.getString(1), new Relation(rs.getString(2), rs.getBoolean(3)));
                });
        assertThat(relations).as("relation files").hasSizeGreaterThan(100);
        return relations;
    }

    /**
     * What a backup's file is (a relation's segments {@code .1} and its free-space and visibility maps go with it): a
     * file of template1, which only PostgreSQL writes; a table of ours; or a copy of values that no table tells apart
     * (the WAL, the catalogs, among them the planner's statistics, the other databases).
     */
    private static BackupFile classify(Path backup, Path file, Map<String, Relation> relations, long template1) {
        String relative = backup.relativize(file).toString();
        if (relative.startsWith("base/" + template1 + "/")) {
            return new BackupFile(file, Kind.TEMPLATE, "template1");
        }
        if (relative.startsWith("pg_wal/")) {
            return new BackupFile(file, Kind.COPY, "pg_wal");
        }
        Relation relation = relations.get(relative.replaceFirst("(_fsm|_vm|_init)?(\\.\\d+)?$", ""));
        if (relation == null) {
            return new BackupFile(file, Kind.COPY, relative);
        }
        return new BackupFile(file, relation.catalog() ? Kind.COPY : Kind.TABLE, relation.table());
    }
}
