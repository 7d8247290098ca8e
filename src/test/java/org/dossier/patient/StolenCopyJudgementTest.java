package org.dossier.patient;

import org.dossier.support.PhiScanner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The judgement of the dump scans, without a server: a value in clear fails outside the allow-list, and only there. */
class StolenCopyJudgementTest {

    private static final PhiScanner SCANNER = new PhiScanner()
            .add("generated family name", List.of("Lefèvre"), false)
            .add("imported family name", List.of("Lindgren"), false)
            .add("demo drug", List.of("Paracétamol 1 g"), false).build();

    /** An allow-list as the proof's was while slices were landing: a whole table, and one table for some kinds only. */
    private static final java.util.Map<String, StolenCopyTest.Slice> ALLOWED = java.util.Map.of(
            "medication_order", new StolenCopyTest.Slice("prescribing", Set.of()),
            "audit_entry", new StolenCopyTest.Slice("the import's source label", Set.of("imported family name")));

    private static List<String> leaksOf(String table, String text) {
        List<String> leaks = new ArrayList<>();
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        StolenCopyTest.judge("test", table, data, SCANNER.scan(data), leaks, ALLOWED);
        return leaks;
    }

    @Test
    void aValueInClearFailsOutsideTheAllowListAndIsOnlyPrintedInIt() {
        assertThat(leaksOf("patient", "1\t\\\\x0a2b\tLEFÈVRE\n")).singleElement().asString()
                .contains("1 generated family name values in patient: [Lefèvre]", "LEFÈVRE");
        assertThat(leaksOf("medication_order", "1\tParacétamol 1 g\tLefèvre\n")).isEmpty();
        assertThat(leaksOf("audit_entry", "import of Andre610_Lindgren255.json")).isEmpty();
        assertThat(leaksOf("audit_entry", "viewed Lefèvre")).as("the audit trail is allowed only the import's label")
                .singleElement().asString().contains("in audit_entry");
        assertThat(leaksOf("staff", "Dr Lefèvre")).as("staff names are no patient's").isEmpty();
        assertThat(leaksOf("staff", "Paracétamol 1 g")).hasSize(1);
    }

    @Test
    void aCopyMayHoldOnlyWhatAnAllowListedTableHolds() {
        byte[] note = "Paracétamol 1 g".getBytes(StandardCharsets.UTF_8);
        Set<PhiScanner.Found> allowed = StolenCopyTest.judge("test", "medication_order", note, SCANNER.scan(note), new ArrayList<>(),
                ALLOWED);
        byte[] wal = "…Paracétamol 1 g…Lefèvre…".getBytes(StandardCharsets.UTF_8);
        List<String> leaks = new ArrayList<>();
        StolenCopyTest.judgeCopies("test", "pg_wal", wal, SCANNER.scan(wal), allowed, leaks);
        assertThat(leaks).singleElement().asString().contains("generated family name values in pg_wal", "Lefèvre");
    }

    @Test
    void theDumpIsCutIntoItsTablesRowsAndItsSchema() {
        String dump = "CREATE TABLE public.patient (id bigint);\n\nCOPY public.patient (id, facility_id) FROM stdin;\n1\t2\n\\.\n"
                + "\nCOPY public.\"empty\" (id) FROM stdin;\n\\.\n\nCREATE INDEX x;\n";
        byte[] bytes = dump.getBytes(StandardCharsets.UTF_8);
        List<DumpScanTest.Section> sections = DumpScanTest.sections(bytes);
        assertThat(sections).extracting(DumpScanTest.Section::table).containsExactly("patient", "empty", "(schema)", "(schema)", "(schema)");
        DumpScanTest.Section patient = sections.get(0);
        assertThat(new String(bytes, patient.from(), patient.to() - patient.from(), StandardCharsets.UTF_8)).isEqualTo("1\t2\n");
        assertThat(patient.columns()).containsExactly("id", "facility_id");
        assertThat(sections.get(1).to() - sections.get(1).from()).isZero();
        assertThat(new String(bytes, sections.get(4).from(), sections.get(4).to() - sections.get(4).from(), StandardCharsets.UTF_8))
                .isEqualTo("\nCREATE INDEX x;\n");
    }
}
