package org.dossier.patient;

import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.KeyEncryptionKeys;
import org.dossier.platform.crypto.WrongKeys;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof of encryption at rest, as far as the registry is sealed today (ADR 0041, 0046): a hospital of its own (the
 * demo's patients and a few of Synthea's, imported over FHIR as an administrator would) has every table copied out as its
 * owner would ({@code COPY ... TO STDOUT}: the embedded PostgreSQL ships no pg_dump, and Debian's pg_dump 15 refuses a
 * newer server), then searched for every patient's names, birth date, INS, NIR, IPP, phones, emails and address lines:
 * none is there in clear. The sealed values read with another key-encryption key give nothing.
 */
@org.springframework.test.context.TestPropertySource(properties = "dossier.demo.patients=520")
class DumpScanTest extends IntegrationTest {

    private static final int WINDOW = 6;
    /**
     * Tables that still copy a patient's NIR or name in clear, whose sealing is a later slice of issue 22 (the billing
     * record: the card read's holder, the claim's beneficiary, their versions); what is found there is printed, not failed.
     */
    /**
     * The directory of staff and other systems' practitioners: names in clear, of no patient, drawn from the same lists
     * as the generated patients' (Dr Lefebvre is no patient Lefebvre), so not searched.
     */
    private static final Set<String> STAFF_TABLES = Set.of("staff", "staff_version", "external_party");
    private static final Set<String> NOT_SEALED_YET = Set.of(); // billing's card reads, claims and versions: sealed by V65

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    KeyEncryptionKeys keks;
    @Autowired
    JsonMapper json;

    @TempDir
    Path thiefDir;

    record Sealed(long id, int facilityId, byte[] details) {
    }

    /** A few Synthea patients, imported as FhirImportTest does, into this test's own hospital. */
    private String importSynthea(int patients) throws Exception {
        Path synthea = org.dossier.fhir.FhirImportTestFiles.SYNTHEA;
        List<Path> files = new ArrayList<>();
        try (var list = java.nio.file.Files.list(synthea)) {
            list.filter(f -> f.toString().endsWith(".json")).sorted().forEach(files::add);
        }
        List<Path> order = new ArrayList<>();
        files.stream().filter(f -> f.getFileName().toString().startsWith("hospital")).forEach(order::add);
        files.stream().filter(f -> f.getFileName().toString().startsWith("practitioner")).forEach(order::add);
        files.stream().filter(f -> !order.contains(f)).limit(patients).forEach(order::add);
        StringBuilder sent = new StringBuilder();
        for (Path file : order) {
            var answer = as("admin").postRaw("/fhir", "application/fhir+json", java.nio.file.Files.readString(file),
                    Map.of("X-Dossier-Facility", "1", "X-Dossier-Import-Source", file.getFileName().toString()));
            assertThat(answer.status()).as(file + " imported").isEqualTo(200);
            sent.append(java.nio.file.Files.readString(file).toLowerCase(Locale.ROOT)).append('\n');
        }
        return sent.toString();
    }

    @Test
    void theDumpHoldsNoPatientsIdentityNorContactsAndTheyOpenWithNoOtherKey() throws Exception {
        String sent = importSynthea(3);
        Map<String, String> dump = dumpOfEveryTable();
        List<Sealed> rows = jdbc.sql("select id, facility_id, sealed_details from patient order by id")
                .query((rs, n) -> new Sealed(rs.getLong(1), rs.getInt(2), rs.getBytes(3))).list();
        assertThat(rows).as("the demo hospital's patients").hasSizeGreaterThan(500)
                .allSatisfy(r -> assertThat(r.details()).as("sealed details of " + r.id()).isNotNull());

        // Patients another system sent (FhirImportTest, in the same server) are also kept as sent in the records imported
        // with them (received_record.resource, source columns): the clinical slice seals those, not this one.
        Set<Long> imported = new HashSet<>(jdbc.sql("select distinct patient_id from import_origin where patient_id is not null")
                .query(Long.class).list());
        Set<String> contacts = new HashSet<>();
        Set<String> importedContacts = new HashSet<>();
        for (Sealed row : rows) {
            (imported.contains(row.id()) ? importedContacts : contacts).addAll(contactsOf(row));
        }
        assertThat(contacts).as("phones, emails and address lines to look for").hasSizeGreaterThan(rows.size());
        assertThat(imported).as("Synthea patients imported").hasSizeGreaterThanOrEqualTo(3);
        Map<Long, PatientRows.Identity> identities = identities(jdbc, cipher, "");
        Map<String, Set<String>> identity = identityValues(identities, id -> !imported.contains(id));
        Map<String, Set<String>> importedIdentity = identityValues(identities, imported::contains);
        // Records another system sent are kept as sent (the clinical slice): a generated name that their text also holds
        // ("217 Muller Grove") cannot be told apart there, so it is not looked for.
        identity.values().forEach(values -> {
            Set<String> alsoSent = foundIn(sent, values);
            values.removeIf(v -> alsoSent.contains(v.toLowerCase(Locale.ROOT)));
        });
        assertThat(identity.get("family name")).as("generated names to look for").hasSizeGreaterThan(100);
        assertThat(importedIdentity.get("family name")).as("imported names to look for").isNotEmpty();
        List<String> leaks = new ArrayList<>();
        dump.forEach((table, text) -> identity.forEach((kind, values) -> {
            if (kind.equals("birth date") || STAFF_TABLES.contains(table)) {
                return; // dates of events are in clear: a row about a patient is checked for its own patient's birth date below
            }
            Set<String> generated = foundIn(text, values, bounded(kind));
            if (!generated.isEmpty() && NOT_SEALED_YET.contains(table)) {
                System.out.printf("DumpScanTest: %d %s values of generated patients in clear in %s (billing: a later slice)%n",
                        generated.size(), kind, table);
            } else if (!generated.isEmpty()) {
                String first = generated.iterator().next();
                int at = text.indexOf(first);
                leaks.add(generated.size() + " " + kind + " values in " + table + ": " + generated.stream().limit(5).toList() + " as in «"
                        + text.substring(Math.max(0, at - 60), Math.min(text.length(), at + first.length() + 60)) + "»");
            }
            Set<String> found = foundIn(text, importedIdentity.get(kind), bounded(kind));
            if (table.startsWith("patient")) {
                assertThat(found).as(kind + " of imported patients in clear in " + table).isEmpty();
            } else if (!found.isEmpty()) {
                System.out.printf("DumpScanTest: %d %s values of imported patients in clear in %s (kept as sent: the clinical"
                        + " slice)%n", found.size(), kind, table);
            }
        }));
        dump.forEach((table, text) -> {
            assertThat(foundIn(text, contacts)).as("contact details of generated patients in clear in " + table).isEmpty();
            Set<String> found = foundIn(text, importedContacts);
            if (table.startsWith("patient")) {
                assertThat(found).as("contact details of imported patients in clear in " + table).isEmpty();
            } else if (!found.isEmpty()) {
                System.out.printf("DumpScanTest: %d contact details of imported patients in clear in %s (kept as sent:"
                        + " the clinical slice)%n", found.size(), table);
            }
        });

        assertThat(leaks).as("identity values of generated patients in clear").isEmpty();
        assertThat(rowsHoldingTheirPatientsBirthDate(identities, imported)).as("rows holding their own patient's birth date").isEmpty();

        FieldCipher thief = WrongKeys.anotherKeyFile(jdbc, thiefDir);
        FieldCipher impostor = WrongKeys.impostorOf(keks.current(), jdbc, thiefDir);
        int opened = 0;
        for (Sealed row : rows.subList(0, 50)) {
            for (FieldCipher wrong : List.of(thief, impostor)) {
                try {
                    wrong.open(PatientRows.detailsCell(row.id(), row.facilityId()), row.details());
                    opened++;
                } catch (IllegalStateException refused) {
                    // what a thief with the dump and another key gets
                }
                try {
                    identities(jdbc, wrong, "where id = " + row.id());
                    opened++;
                } catch (IllegalStateException refused) {
                    // the identity columns neither
                }
            }
        }
        assertThat(opened).as("sealed values opened with a wrong key").isZero();
    }

    /**
     * Every row of every table with a {@code patient_id}, as COPY writes it, that holds its own (generated) patient's birth
     * date: a birth date is a date like any other, so only its place beside its patient tells it apart.
     */
    private List<String> rowsHoldingTheirPatientsBirthDate(Map<Long, PatientRows.Identity> identities, Set<Long> imported)
            throws Exception {
        List<String> tables = jdbc.sql("select table_name from information_schema.columns where table_schema = 'public'"
                + " and column_name = 'patient_id' and table_name in (select table_name from information_schema.tables"
                + " where table_type = 'BASE TABLE') union select 'patient'").query(String.class).list();
        assertThat(tables).as("tables about a patient").hasSizeGreaterThan(10);
        List<String> leaks = new ArrayList<>();
        try (Connection c = owner.getConnection()) {
            var copier = c.unwrap(PGConnection.class).getCopyAPI();
            for (String table : tables) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                String patientId = table.equals("patient") ? "id" : "patient_id";
                copier.copyOut("copy (select " + patientId + ", t::text from \"" + table + "\" t where " + patientId
                        + " is not null) to stdout", out);
                for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                    int tab = line.indexOf('\t');
                    if (tab < 0) {
                        continue;
                    }
                    long patient = Long.parseLong(line.substring(0, tab));
                    PatientRows.Identity i = identities.get(patient);
                    if (i != null && !imported.contains(patient) && line.indexOf(i.birthDate().toString(), tab) >= 0) {
                        leaks.add(table + " of patient " + patient);
                    }
                }
            }
        }
        return leaks;
    }

    /** Dates and numbers are looked for as whole words (an IPP's digits also occur inside longer numbers and hex). */
    private static boolean bounded(String kind) {
        return kind.equals("birth date") || kind.equals("IPP");
    }

    /** The identity values to look for, by kind, of the patients {@code which} selects (long enough to be told apart). */
    private static Map<String, Set<String>> identityValues(Map<Long, PatientRows.Identity> identities,
                                                           java.util.function.LongPredicate which) {
        Map<String, Set<String>> byKind = new java.util.TreeMap<>();
        for (String kind : List.of("family name", "given names", "birth date", "INS", "NIR", "IPP")) {
            byKind.put(kind, new HashSet<>());
        }
        identities.forEach((id, i) -> {
            if (!which.test(id)) {
                return;
            }
            byKind.get("family name").add(i.birthFamilyName());
            byKind.get("family name").add(i.usedName());
            byKind.get("given names").add(i.givenNames());
            byKind.get("birth date").add(i.birthDate().toString());
            byKind.get("INS").add(i.insMatricule());
            byKind.get("NIR").add(i.coverageNir());
            byKind.get("IPP").add(i.ipp());
        });
        byKind.values().forEach(values -> values.removeIf(v -> v == null || v.length() < WINDOW));
        return byKind;
    }

    private Set<String> contactsOf(Sealed row) {
        String opened;
        try {
            opened = cipher.open(PatientRows.detailsCell(row.id(), row.facilityId()), row.details());
        } catch (ErasedValueException shredded) {
            return Set.of(); // a patient CryptoShreddingTest erased: nothing to look for, nothing anyone can read
        }
        PatientRepository.Details d = json.readValue(opened, PatientRepository.Details.class);
        Set<String> values = new HashSet<>();
        d.phones().forEach(p -> values.add(p.number()));
        d.emails().forEach(e -> values.add(e.address()));
        d.addresses().forEach(a -> values.add(a.line()));
        d.contacts().forEach(c -> values.add(c.phone()));
        values.removeIf(v -> v == null || v.length() < WINDOW);
        return values;
    }

    /** Which of the values occur anywhere in the text (case aside): one pass over the text, windows looked up in a map. */
    static Set<String> foundIn(String text, Set<String> values) {
        return foundIn(text, values, false);
    }

    /** The same, a value counting only as a whole word when {@code word} (no letter or digit either side). */
    static Set<String> foundIn(String text, Set<String> values, boolean word) {
        Map<String, List<String>> byStart = new HashMap<>();
        for (String v : values) {
            String lower = v.toLowerCase(Locale.ROOT);
            byStart.computeIfAbsent(lower.substring(0, WINDOW), k -> new ArrayList<>()).add(lower);
        }
        Set<String> found = new HashSet<>();
        for (int i = 0; i + WINDOW <= text.length(); i++) {
            List<String> candidates = byStart.get(text.substring(i, i + WINDOW));
            if (candidates != null) {
                for (String c : candidates) {
                    if (text.startsWith(c, i) && (!word || (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))
                            && (i + c.length() == text.length() || !Character.isLetterOrDigit(text.charAt(i + c.length()))))) {
                        found.add(c);
                    }
                }
            }
        }
        return found;
    }

    /** Every table of the public schema as COPY writes it, lower-cased, by table. */
    private Map<String, String> dumpOfEveryTable() throws Exception {
        List<String> tables = jdbc.sql("select table_name from information_schema.tables where table_schema = 'public'"
                + " and table_type = 'BASE TABLE' order by table_name").query(String.class).list();
        Map<String, String> dump = new java.util.LinkedHashMap<>();
        try (Connection c = owner.getConnection()) {
            var copier = c.unwrap(PGConnection.class).getCopyAPI();
            for (String table : tables) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                copier.copyOut("copy \"" + table + "\" to stdout", out);
                dump.put(table, out.toString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
            }
        }
        assertThat(tables).contains("patient", "patient_version", "data_key", "audit_entry");
        return dump;
    }
}
