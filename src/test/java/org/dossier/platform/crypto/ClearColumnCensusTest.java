package org.dossier.platform.crypto;

import org.dossier.support.Api;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.dossier.support.PatientJson;
import org.dossier.support.PortalSession;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22's sweep that no column was forgotten: every column of the application's tables that can hold text or bytes
 * (text, character, varchar, json, jsonb, bytea and their arrays), read from the migrated schema, is classified once in
 * {@code src/test/resources/clear-column-census.tsv}, and each class is checked against the rows: a sealed column holds
 * ciphertext only, the legacy clear twin of a sealed value stays empty in rows written now through the API, a code column
 * holds codes. The dump scans ({@code StolenCopyTest}) find only the values the generator writes; this test fails on a
 * column nobody has thought about yet, before it holds anything. How to classify: docs/security/encryption.md, "Census
 * of clear columns".
 */
class ClearColumnCensusTest extends IntegrationTest {

    static final String CENSUS = "clear-column-census.tsv";

    enum Kind { SEALED, TWIN_OF_SEALED, BLIND_INDEX, CODE, STAFF_OR_SYSTEM, PATIENT_CLEAR_ALLOWED }

    /** One line of the census; for a twin, {@code why} begins with its sealed column's name. */
    record Entry(String table, String column, Kind kind, String why) {
        String name() {
            return table + "." + column;
        }

        String twin() {
            return why.split("[: ]", 2)[0];
        }
    }

    record Column(String table, String column, String type) {
        String name() {
            return table + "." + column;
        }
    }

    /** A Tink ciphertext with its key's prefix: 1 + 4 bytes of key id, 12 of nonce, 16 of tag (SecretBox's: 12 + 16 and more). */
    private static final int TINK_PREFIX_BYTE = 1;
    private static final int SHORTEST_CIPHERTEXT = 33;
    /** A code has no spaces; a vocabulary with spaces (catalogue labels) is closed when it has few values. */
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.:/\\[\\]%+,|#-]{1,100}");
    private static final int CLOSED_VOCABULARY = 64;

    @Test
    void everyColumnThatCanHoldTextIsClassifiedOnceAndNoClassifiedColumnIsGone() throws IOException {
        Map<String, Entry> census = census();
        Map<String, Column> schema = schema();

        Set<String> unclassified = new TreeSet<>(schema.keySet());
        unclassified.removeAll(census.keySet());
        assertThat(unclassified).as("""
                columns that can hold text or bytes and that the census does not classify: add a line for each to \
                src/test/resources/%s (table.column, class, why), after deciding whether it can hold patient data: if it \
                can, seal it (a sealed_ twin, SealedColumns) rather than allow it in clear; docs/security/encryption.md, \
                "Census of clear columns\"""", CENSUS).isEmpty();

        Set<String> gone = new TreeSet<>(census.keySet());
        gone.removeAll(schema.keySet());
        assertThat(gone).as("columns the census classifies that the schema no longer has (dropped or renamed by a migration): "
                + "remove or rename their lines in src/test/resources/%s", CENSUS).isEmpty();

        List<String> badTwins = new ArrayList<>();
        census.values().stream().filter(e -> e.kind() == Kind.TWIN_OF_SEALED).forEach(e -> {
            Entry twin = census.get(e.table() + "." + e.twin());
            if (twin == null || (twin.kind() != Kind.SEALED && twin.kind() != Kind.BLIND_INDEX)) {
                badTwins.add(e.name() + " -> " + e.twin());
            }
        });
        assertThat(badTwins).as("a TWIN_OF_SEALED line names its sealed column first (\"sealed_x: ...\"), classified SEALED or "
                + "BLIND_INDEX in the same table").isEmpty();
    }

    @Test
    void sealedColumnsHoldCiphertextAndBlindIndexesHashes() throws IOException {
        Map<String, Column> schema = schema();
        List<String> wrong = new ArrayList<>();
        for (Entry e : census().values()) {
            Column c = schema.get(e.name());
            if (c == null) {
                continue;
            }
            if (e.kind() == Kind.SEALED) {
                if (!c.type().equals("bytea")) {
                    wrong.add(e.name() + " is " + c.type() + ", not bytea");
                    continue;
                }
                long clear = jdbc.sql("select count(*) from " + e.table() + " where " + e.column() + " is not null and (length("
                        + e.column() + ") < ? or " + (e.why().startsWith("SecretBox")
                        ? "substring(" + e.column() + " from 1 for 2) = '\\xaced'::bytea)" // a Java object in clear
                        : "get_byte(" + e.column() + ", 0) <> " + TINK_PREFIX_BYTE + ")"))
                        .param(SHORTEST_CIPHERTEXT).query(Long.class).single();
                if (clear > 0) {
                    wrong.add(e.name() + ": " + clear + " values are not Tink ciphertexts");
                }
            } else if (e.kind() == Kind.BLIND_INDEX && !c.type().equals("bytea") && !c.type().equals("_bytea")) {
                wrong.add(e.name() + " is " + c.type() + ", not bytea");
            }
        }
        assertThat(wrong).as("columns classified SEALED or BLIND_INDEX that hold something else").isEmpty();
    }

    @Test
    void codeColumnsHoldAClosedVocabulary() throws IOException {
        List<String> freeText = new ArrayList<>();
        for (Entry e : census().values()) {
            if (e.kind() != Kind.CODE) {
                continue;
            }
            List<String> values = jdbc.sql("select distinct " + e.column() + "::text from " + e.table() + " where " + e.column()
                    + " is not null limit " + (CLOSED_VOCABULARY + 1)).query(String.class).list();
            List<String> notCodes = values.stream().filter(v -> !CODE.matcher(v).matches()).toList();
            if (!notCodes.isEmpty() && values.size() > CLOSED_VOCABULARY) {
                freeText.add(e.name() + ": more than " + CLOSED_VOCABULARY + " values, e.g. " + notCodes.subList(0, Math.min(3,
                        notCodes.size())));
            }
        }
        assertThat(freeText).as("columns classified CODE that hold free text: classify them again (and seal them if they "
                + "can describe a patient)").isEmpty();
    }

    /**
     * The rows the API writes now leave every legacy clear twin empty, and no column holds a word typed into a sealed
     * field, whatever its class: a column that copies a reason or a name (an audit detail, an alert's evidence, an outbox)
     * is found here even if the census called it harmless.
     */
    @Test
    void rowsWrittenThroughTheApiLeaveTheClearTwinsEmptyAndNoColumnHoldsTheirWords() throws IOException {
        Map<String, Entry> census = census();
        String word = "Recensement" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        // The username the patient chooses at the portal (ADR 0058): lower-case, as the portal keeps it.
        String login = "identifiant" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        long patient = writeThroughTheApi(word, login);

        Map<String, List<String>> twinsByTable = new TreeMap<>();
        census.values().stream().filter(e -> e.kind() == Kind.TWIN_OF_SEALED)
                .forEach(e -> twinsByTable.computeIfAbsent(e.table(), t -> new ArrayList<>()).add(e.column()));
        List<String> filled = new ArrayList<>();
        Set<String> notWritten = new TreeSet<>();
        twinsByTable.forEach((table, columns) -> {
            // Every row about the patient registered here was written now, through the API (but its care-team rows that
            // Fixtures.careFor writes in SQL, as the hospital's records of before V71 would be: they are the first ones).
            String ours = " from " + table + " where " + switch (table) {
                case "patient" -> "id";
                case "patient_merge" -> "survivor_id";
                default -> "patient_id";
            } + " = " + patient
                    + (table.equals("care_team_member") ? " and staff_id not in (select id from staff where username in "
                    + "('physician', 'nurse'))" : "");
            long written = jdbc.sql("select count(*)" + ours).query(Long.class).single();
            if (written == 0) {
                notWritten.add(table);
                return;
            }
            for (String column : columns) {
                long n = jdbc.sql("select count(*)" + ours + " and " + column + " is not null").query(Long.class).single();
                if (n > 0) {
                    filled.add(table + "." + column + " (" + n + " of " + written + " new rows)");
                }
            }
        });
        assertThat(filled).as("legacy clear columns that rows written now still fill: the writer must write the sealed twin "
                + "only").isEmpty();
        assertThat(notWritten).as("tables with a clear twin that this test writes through the API")
                .doesNotContain("patient", "patient_version", "clinical_note", "allergy", "problem", "observation",
                        "clinical_document", "clinical_version", "medication_order", "prescribing_version", "stay", "referral",
                        "appointment", "care_team_member", "care_version", "health_card_read", "billing_version");
        System.out.println("ClearColumnCensusTest: tables with a clear twin not written through the API here (their "
                + "own sealed-at-rest tests cover them): " + notWritten);

        assertThat(columnsHolding("Cardiologie")).as("the scan finds a word in clear").contains("care_unit.name");
        assertThat(columnsHolding(word)).as("columns holding a word written only into sealed fields (%s)", word).isEmpty();
        assertThat(columnsHolding(login)).as("columns holding the username the patient chose at the portal (%s): its account, "
                + "the trail of its sign-ins, the throttle, the session", login).isEmpty();
    }

    private List<String> columnsHolding(String word) {
        List<String> found = new ArrayList<>();
        for (Column c : schema().values()) {
            String test = c.type().equals("bytea") ? "position(convert_to(:w, 'UTF8') in " + c.column() + ") > 0"
                    : c.column() + "::text like '%' || :w || '%'";
            if (!c.type().startsWith("_") && jdbc.sql("select exists (select 1 from " + c.table() + " where " + test + ")")
                    .param("w", word).query(Boolean.class).single()) {
                found.add(c.name());
            }
        }
        return found;
    }

    /** A patient registered with the word in their name, and every record with a free text a clinician or desk types. */
    private long writeThroughTheApi(String word, String login) {
        Fixtures f = fixtures();
        Api desk = as("frontdesk");
        Api doc = as("physician");
        Map<String, Object> identity = PatientJson.valid(word, "Anne");
        long patient = created(desk.post("/api/patients", PatientJson.reviewed(1, identity)));
        f.careFor(patient, "physician", "nurse");
        String nir = (String) identity.get("insMatricule");
        created(doc.post("/api/patients/" + patient + "/care-team", Map.of("staffId", f.staffId("er.physician"),
                "role", "Avis " + word)));

        created(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", word, "body", "Douleur " + word)));
        created(doc.post("/api/patients/" + patient + "/allergies", Map.of("substance", word, "severity", "SEVERE")));
        created(doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I10", "label", "HTA " + word)));
        created(doc.post("/api/patients/" + patient + "/observations", Map.of("kind", "LAB", "value", 12.5, "code", "718-7",
                "label", "Hemoglobine " + word, "unit", "g/dL")));
        created(doc.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Furosemide " + word, "dose", "40 mg",
                "route", "ORAL", "frequency", "matin " + word, "allergyOverrideReason", "Tolere " + word)));
        created(doc.upload("/api/patients/" + patient + "/documents", "Courrier " + word, "c.pdf", "application/pdf",
                ("%PDF-1.4\n" + word + "\n%%EOF\n").getBytes(StandardCharsets.US_ASCII)));
        created(doc.post("/api/referrals", Map.of("patientId", patient, "toUnitId", f.unit(1, "PNEUMO"), "reason", "Avis " + word)));
        long stay = created(doc.post("/api/stays", Map.of("patientId", patient, "unitId", f.unit(1, "CARDIO"),
                "attendingId", f.staffId("physician"), "reason", "Dyspnee " + word)));
        assertThat(doc.post("/api/stays/" + stay + "/discharge", Map.of("version", 1, "reason", "Domicile " + word)).status())
                .isEqualTo(200);
        bookAndCancel(desk, f, patient, word);
        Map<String, Object> read = new HashMap<>(Map.of("workstation", "ACCUEIL-01", "cardHolderName", "Anne " + word,
                "cardHolderNir", nir, "beneficiaryName", "Anne " + word, "beneficiaryRank", 1,
                "rights", Map.of("amoScheme", "01", "amoFund", "691", "amoCentre", "0001", "validFrom", "2026-01-01",
                        "validTo", "2026-12-31", "amcName", "MGEN", "c2s", false, "ald", true)));
        created(desk.post("/api/patients/" + patient + "/card-reads", read));
        enrolInThePortal(desk, patient, (String) identity.get("birthDate"), login);
        return patient;
    }

    /**
     * The patient enrols at the portal with the username they chose, signs in (a session kept in the database), and a
     * stranger tries the name with a wrong password and a wrong code (the throttle counts, the trail says so).
     */
    private void enrolInThePortal(Api desk, long patient, String birthDate, String login) {
        String password = "a long walk by the quiet river";
        String code = desk.post("/api/patients/" + patient + "/portal-code", Map.of()).json().get("code").asString();
        PortalSession patientSession = PortalSession.enrolled(port, code, birthDate, login, password);
        assertThat(patientSession.page("/portal/record").status()).isEqualTo(200);
        PortalSession stranger = new PortalSession(port);
        stranger.page("/portal/signin");
        assertThat(stranger.form("/portal/signin", Map.of("username", login, "password", "not the password at all")).status())
                .isEqualTo(200);
        stranger.page("/portal/signin");
        assertThat(stranger.form("/portal/signin", Map.of("username", login, "password", password)).header("Location"))
                .endsWith("/portal/signin/code");
        stranger.page("/portal/signin/code");
        stranger.form("/portal/signin/code", Map.of("code", "000000"));
    }

    private void bookAndCancel(Api desk, Fixtures f, long patient, String word) {
        ZoneId paris = ZoneId.of("Europe/Paris");
        LocalDate tuesday = LocalDate.now(paris).with(TemporalAdjusters.next(DayOfWeek.TUESDAY));
        long doctor = f.physician("CONSULT");
        assertThat(desk.post("/api/practitioners/" + doctor + "/schedules", Map.of("unitId", f.unit(1, "CONSULT"),
                "weekday", "TUESDAY", "startTime", "14:00", "endTime", "17:00", "slotMinutes", 20)).status()).isEqualTo(201);
        long appointment = created(desk.post("/api/appointments", Map.of("patientId", patient, "practitionerId", doctor,
                "startAt", tuesday.atTime(LocalTime.of(14, 0)).atZone(paris).toInstant().toString(), "reason", "Suivi " + word)));
        Api.Response cancelled = desk.post("/api/appointments/" + appointment + "/cancel", Map.of("version", 1,
                "reason", "Hospitalise " + word));
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
    }

    private static long created(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    /** The schema's columns that can hold text or bytes: the application's tables, not Flyway's history. */
    private Map<String, Column> schema() {
        Map<String, Column> columns = new TreeMap<>();
        jdbc.sql("""
                        select c.table_name, c.column_name, c.udt_name
                          from information_schema.columns c
                          join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
                         where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.table_name <> 'flyway_schema_history'
                           and c.udt_name in ('text', 'varchar', 'bpchar', 'json', 'jsonb', 'bytea',
                                              '_text', '_varchar', '_bpchar', '_json', '_jsonb', '_bytea')""")
                .query((rs, n) -> new Column(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list().forEach(c -> columns.put(c.name(), c));
        return columns;
    }

    static Map<String, Entry> census() throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> malformed = new ArrayList<>();
        try (InputStream in = ClearColumnCensusTest.class.getClassLoader().getResourceAsStream(CENSUS)) {
            assertThat(in).as(CENSUS).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Entry e = parse(line);
                if (e == null || entries.putIfAbsent(e.name(), e) != null) {
                    malformed.add(line);
                }
            }
        }
        assertThat(malformed).as("census lines that are not \"table.column<TAB>class<TAB>why\" with a class of %s and a why, "
                + "or that repeat a column", List.of(Kind.values())).isEmpty();
        return entries;
    }

    private static Entry parse(String line) {
        String[] parts = line.split("\t", -1);
        if (parts.length != 3 || !parts[0].matches("[a-z0-9_]+\\.[a-z0-9_]+") || parts[2].isBlank()) {
            return null;
        }
        try {
            String[] name = parts[0].split("\\.");
            return new Entry(name[0], name[1], Kind.valueOf(parts[1]), parts[2].strip());
        } catch (IllegalArgumentException unknownKind) {
            return null;
        }
    }
}
