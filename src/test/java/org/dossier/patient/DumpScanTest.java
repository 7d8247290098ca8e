package org.dossier.patient;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.KeyEncryptionKeys;
import org.dossier.platform.crypto.PatientKeys;
import org.dossier.platform.crypto.WrongKeys;
import org.dossier.support.PhiScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof of encryption at rest on a dump (issue 22, ADR 0041, 0046, 0054): the real {@code pg_dump} of the test's own
 * hospital (plain SQL, schema and every row, as the owner), searched for every patient's names, birth date, INS, NIR,
 * IPP, phones, emails and address lines, the demo's drugs and note sentences and the imported Synthea patients' drugs,
 * conditions and notes: none is there in clear outside the tables {@link #NOT_SEALED_YET} names. The dump, restored
 * into another database, opens with the server's keys and gives nothing with another key-encryption key.
 */
class DumpScanTest extends StolenCopyTest {

    @Autowired
    KeyEncryptionKeys keks;
    @Autowired
    PatientKeys patientKeys;

    @TempDir
    Path dir;

    /** One table's rows in the dump ({@code COPY public.t (columns) FROM stdin;} to {@code \.}), or the schema around. */
    record Section(String table, List<String> columns, int from, int to) {
    }

    @Test
    void thePgDumpOfTheHospitalHoldsNoPatientsValueInClear() throws Exception {
        long start = System.nanoTime();
        Wanted wanted = wanted();
        var tools = tools();
        long dumping = System.nanoTime();
        Path file = dir.resolve("dossier.sql");
        tools.dump("dossier", file);
        byte[] dump = Files.readAllBytes(file);
        String server = jdbc.sql("show server_version").query(String.class).single().split(" ")[0];
        assertThat(new String(dump, 0, Math.min(dump.length, 4000), StandardCharsets.UTF_8)).as("pg_dump of the server's version")
                .contains("Dumped from database version " + server, "Dumped by pg_dump version " + server);
        long scanning = System.nanoTime();
        List<Section> sections = sections(dump);
        assertThat(sections.stream().map(Section::table)).as("tables in the dump")
                .contains("patient", "patient_version", "data_key", "audit_entry", "clinical_note", "medication_order");
        List<String> leaks = new ArrayList<>();
        for (Section s : sections) {
            judge("DumpScanTest", s.table(), dump, wanted.scanner().scan(dump, s.from(), s.to()), leaks);
        }
        List<String> birthDates = rowsHoldingTheirPatientsBirthDate(dump, sections, wanted.birthDates());
        System.out.printf("DumpScanTest: pg_dump of %,d bytes (%d tables) in %d ms, %,d values looked for, scanned in %d ms"
                        + " (values gathered in %d ms)%n", dump.length, sections.size() - 1, (scanning - dumping) / 1_000_000,
                wanted.values(), (System.nanoTime() - scanning) / 1_000_000, (dumping - start) / 1_000_000);
        assertThat(leaks).as("patients' values in clear in the dump").isEmpty();
        assertThat(birthDates).as("rows holding their own patient's birth date").isEmpty();
    }

    @Test
    void theDumpRestoredOpensWithTheServersKeysAndWithNoOther() throws Exception {
        Path file = dir.resolve("dossier.sql");
        tools().dump("dossier", file);
        jdbc.sql("drop database if exists stolen").update();
        jdbc.sql("create database stolen").update();
        var url = owner.unwrap(com.zaxxer.hikari.HikariDataSource.class);
        var restored = new SingleConnectionDataSource(url.getJdbcUrl().replaceFirst("/dossier$", "/stolen"), url.getUsername(),
                url.getPassword(), true);
        try {
            tools().restore(file, "stolen");
            JdbcClient stolen = JdbcClient.create(restored);
            Map<Long, PatientRows.Identity> theServers = identities(jdbc, cipher(), "where id in (select id from patient order by id limit 50)");
            FieldCipher withTheKeys = WrongKeys.withPatientStore(stolen, keks, WrongKeys.patientStoreOf(patientKeys));
            assertThat(identities(stolen, withTheKeys, "where id in (select id from patient order by id limit 50)"))
                    .as("the restored dump, opened with the server's KEK and patient key store").isEqualTo(theServers);

            List<Sealed> rows = stolen.sql("select id, facility_id, sealed_details from patient where sealed_details is not null")
                    .query((rs, n) -> new Sealed(rs.getLong(1), rs.getInt(2), rs.getBytes(3))).list();
            assertThat(rows).as("patients in the restored dump").hasSizeGreaterThan(500);
            int opened = 0;
            for (FieldCipher wrong : List.of(WrongKeys.anotherKeyFile(stolen, dir), WrongKeys.impostorOf(keks.current(), stolen, dir))) {
                opened += openable(stolen, wrong, rows);
            }
            assertThat(opened).as("sealed values of the dump opened with a wrong key").isZero();
        } finally {
            restored.destroy();
            jdbc.sql("drop database if exists stolen").update();
        }
    }

    record Sealed(long id, int facilityId, byte[] details) {
    }

    /** How many of the rows' details and identities {@code wrong} opens (a thief's attempts). */
    private static int openable(JdbcClient stolen, FieldCipher wrong, List<Sealed> rows) {
        int opened = 0;
        for (Sealed row : rows) {
            try {
                wrong.open(PatientRows.detailsCell(row.id(), row.facilityId()), row.details());
                opened++;
            } catch (IllegalStateException refused) {
                // what a thief with the dump and another key gets
            }
            try {
                identities(stolen, wrong, "where id = " + row.id());
                opened++;
            } catch (IllegalStateException refused) {
                // the identity columns neither
            }
        }
        return opened;
    }

    /** The dump cut into its tables' COPY blocks; what lies between them (the schema) is the section "(schema)". */
    static List<Section> sections(byte[] dump) {
        String text = new String(dump, StandardCharsets.ISO_8859_1); // one char a byte: offsets are the bytes'
        List<Section> sections = new ArrayList<>();
        int schemaFrom = 0;
        List<int[]> schema = new ArrayList<>();
        for (int at = text.indexOf("\nCOPY "); at >= 0; at = text.indexOf("\nCOPY ", at + 1)) {
            int headerEnd = text.indexOf('\n', at + 1);
            String header = text.substring(at + 1, headerEnd);
            int end = text.indexOf("\n\\.\n", headerEnd);
            String name = header.substring("COPY ".length(), header.indexOf(' ', "COPY ".length()));
            String table = name.substring(name.indexOf('.') + 1).replace("\"", "");
            int open = header.indexOf('(');
            List<String> columns = open < 0 ? List.of()
                    : Arrays.stream(header.substring(open + 1, header.lastIndexOf(')')).split(", ")).map(c -> c.replace("\"", "")).toList();
            schema.add(new int[]{schemaFrom, at});
            sections.add(new Section(table, columns, headerEnd + 1, end + 1));
            schemaFrom = end + 4; // after "\n\\.\n"
            at = end;
        }
        schema.add(new int[]{schemaFrom, dump.length});
        // The schema's parts as one section each, all named so (functions, comments and defaults must hold no PHI either).
        schema.forEach(range -> sections.add(new Section("(schema)", List.of(), range[0], range[1])));
        return sections;
    }

    /**
     * Every row of a table about a patient (a {@code patient_id}, or the patient itself) that holds its own generated
     * patient's birth date: a birth date is a date like any other, so only its place beside its patient tells it apart.
     */
    private static List<String> rowsHoldingTheirPatientsBirthDate(byte[] dump, List<Section> sections, Map<Long, String> birthDates) {
        List<String> leaks = new ArrayList<>();
        int tables = 0;
        for (Section s : sections) {
            int column = s.columns().indexOf(s.table().equals("patient") ? "id" : "patient_id");
            if (column < 0) {
                continue;
            }
            tables++;
            for (String line : new String(dump, s.from(), s.to() - s.from(), StandardCharsets.UTF_8).split("\n")) {
                String[] fields = line.split("\t", -1);
                if (line.isEmpty() || fields.length <= column || fields[column].equals("\\N")) {
                    continue;
                }
                String birthDate = birthDates.get(Long.parseLong(fields[column]));
                if (birthDate != null && holdsWord(line, birthDate)) {
                    Slice slice = NOT_SEALED_YET.get(s.table());
                    if (slice != null && slice.covers("generated birth date")) {
                        System.out.printf("DumpScanTest: a row of %s holds its patient's birth date (not sealed yet: %s)%n",
                                s.table(), slice.why());
                    } else {
                        leaks.add(s.table() + " of patient " + fields[column]);
                    }
                }
            }
        }
        assertThat(tables).as("tables about a patient in the dump").isGreaterThan(10);
        return leaks;
    }

    /** Whether {@code value} occurs in {@code line} with no letter or digit either side. */
    static boolean holdsWord(String line, String value) {
        for (int at = line.indexOf(value); at >= 0; at = line.indexOf(value, at + 1)) {
            int end = at + value.length();
            if ((at == 0 || !Character.isLetterOrDigit(line.charAt(at - 1)))
                    && (end == line.length() || !Character.isLetterOrDigit(line.charAt(end)))) {
                return true;
            }
        }
        return false;
    }
}
