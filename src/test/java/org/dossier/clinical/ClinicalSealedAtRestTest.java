package org.dossier.clinical;

import org.dossier.platform.FacilityScope;
import org.dossier.platform.VersionLog;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The clinical record at rest (issue 22, ADR 0051): what the chart's screens and APIs write — a note, an allergy, a
 * problem, a result, a PDF, and every version of them — is in no table in clear as its owner reads it, yet every reader
 * shows it as before; a sealed value moved to another row does not open; a shredded patient's record reads as erased
 * (never a 500) and can no longer be written; rows written before V64 read as before and the rotation job seals them.
 */
class ClinicalSealedAtRestTest extends IntegrationTest {

    private static final List<String> TABLES = List.of("clinical_note", "allergy", "problem", "observation", "clinical_document",
            "clinical_version");

    @Autowired
    @Qualifier("owner")
    DataSource owner;
    @Autowired
    FieldCipher cipher;
    @Autowired
    List<SealedValues> declared;
    @Autowired
    ClinicalSeal seal;

    @Test
    void theChartIsSealedInEveryTableShownByEveryReaderAndErasedWithThePatientsKey() throws Exception {
        long patient = fixtures().patientInCare();
        Written w = write(patient, "Sealtest" + System.nanoTime() % 1_000_000);
        Map<String, byte[]> dump = copyOut();
        for (String secret : w.secrets()) {
            for (var table : dump.entrySet()) {
                String copied = new String(table.getValue(), StandardCharsets.UTF_8);
                assertThat(copied).as(table.getKey() + " holds " + secret).doesNotContain(secret)
                        .doesNotContain(HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8)));
            }
        }
        assertThat(owners().sql("select count(*) from clinical_version where patient_id = ? and snapshot is null and sealed_snapshot is not null")
                .param(patient).query(Long.class).single()).as("every version sealed").isGreaterThanOrEqualTo(6);

        readersShow(patient, w);
        movedValuesDoNotOpen(patient, w);

        int facility = owners().sql("select facility_id from patient where id = ?").param(patient).query(Integer.class).single();
        byte[] glucose = seal.codeToken(facility, patient, "2345-7");
        assertThat(codeTokenCount(patient, glucose)).as("the observation is grouped by its code's token").isEqualTo(1);

        shred(patient);
        erasedEverywhere(patient, w);
        // the facility's index key lives on: a token left would let whoever holds it test which tests the patient had
        assertThat(codeTokenCount(patient, glucose)).as("no code token of a shredded patient").isZero();
        assertThat(owners().sql("select count(*) from observation where patient_id = ? and code_token is null and sealed_content is not null")
                .param(patient).query(Long.class).single()).as("the rows stay, with a token that hashes no code").isZero();
    }

    private long codeTokenCount(long patient, byte[] token) {
        return owners().sql("select count(*) from observation where patient_id = ? and code_token = ?").param(patient).param(token)
                .query(Long.class).single();
    }

    /** What one patient's chart was given through the API, each value marked so a dump can be searched for it. */
    record Written(String tag, long note, long allergy, long problem, long observation, long document, byte[] pdf) {
        List<String> secrets() {
            return List.of("Souffle " + tag, "Arachide " + tag, "Sarcoidose " + tag, "Glycemie " + tag, "Echographie " + tag,
                    "PDF-" + tag);
        }
    }

    private Written write(long patient, String tag) {
        Api doc = as("physician");
        Api nurse = as("nurse");
        long note = created(doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "CONSULTATION", "title", "Visit " + tag,
                "body", "Souffle " + tag + " au foyer mitral")));
        long allergy = created(nurse.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Arachide " + tag,
                "substanceCode", "Z91.010", "reaction", "Urticaire " + tag, "severity", "SEVERE")));
        Api.Response changed = nurse.put("/api/allergies/" + allergy, Map.of("version", 1, "reason", "reaction confirmed", "allergy",
                Map.of("substance", "Arachide " + tag, "substanceCode", "Z91.010", "reaction", "Oedeme " + tag, "severity", "SEVERE")));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        long problem = created(doc.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "D86.9", "label", "Sarcoidose " + tag)));
        long observation = created(nurse.post("/api/patients/" + patient + "/observations", Map.of("kind", "LAB", "code", "2345-7",
                "label", "Glycemie " + tag, "value", 5.4, "unit", "mmol/L")));
        byte[] pdf = ("%PDF-1.4\n% PDF-" + tag + "\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").getBytes(StandardCharsets.US_ASCII);
        Api.Response uploaded = doc.upload("/api/patients/" + patient + "/documents", "Echographie " + tag, "echo.pdf", "application/pdf", pdf);
        assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(201);
        return new Written(tag, note, allergy, problem, observation, uploaded.json().get("id").asLong(), pdf);
    }

    private static long created(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    private void readersShow(long patient, Written w) throws Exception {
        Api doc = as("physician");
        assertThat(doc.get("/api/notes/" + w.note()).body()).contains("Souffle " + w.tag());
        assertThat(doc.get("/api/patients/" + patient + "/allergies").body()).contains("Arachide " + w.tag()).contains("Oedeme " + w.tag());
        assertThat(doc.get("/api/allergies/" + w.allergy() + "/history").body()).as("both versions")
                .contains("Urticaire " + w.tag()).contains("Oedeme " + w.tag());
        assertThat(doc.get("/api/patients/" + patient + "/problems").body()).contains("Sarcoidose " + w.tag()).contains("D86.9");
        assertThat(doc.get("/api/patients/" + patient + "/observations").body()).contains("Glycemie " + w.tag()).contains("2345-7");
        assertThat(doc.get("/api/patients/" + patient + "/chart").body()).contains("Arachide " + w.tag()).contains("Sarcoidose " + w.tag())
                .contains("Glycemie " + w.tag());
        assertThat(doc.get("/api/documents/" + w.document()).body()).contains("Echographie " + w.tag());
        assertThat(content(w.document()).body()).isEqualTo(w.pdf());
        assertThat(doc.get("/fhir/Observation?patient=" + patient).body()).contains("Glycemie " + w.tag()).contains("2345-7");
        assertThat(doc.get("/fhir/AllergyIntolerance?patient=" + patient).body()).contains("Arachide " + w.tag());
        assertThat(doc.get("/fhir/Condition?patient=" + patient).body()).contains("Sarcoidose " + w.tag());
        assertThat(BrowserSession.signedIn(port, "physician").page("/patients/" + patient).body()).contains("Arachide " + w.tag());
    }

    /** A superuser who copies one sealed value over another row's gets a value that opens nowhere but where it was sealed. */
    private void movedValuesDoNotOpen(long patient, Written w) {
        int facility = jdbc.sql("select facility_id from patient where id = ?").param(patient).query(Integer.class).single();
        byte[] note = owners().sql("select sealed_content from clinical_note where id = ?").param(w.note()).query(byte[].class).single();
        assertThat(cipher.open(ClinicalSeal.cell("clinical_note", w.note(), facility, patient), note)).contains("Souffle " + w.tag());
        assertThatThrownBy(() -> cipher.open(ClinicalSeal.cell("clinical_note", w.note() + 1, facility, patient), note))
                .as("another row").isInstanceOf(FieldCipher.SealedValueException.class);
        assertThatThrownBy(() -> cipher.open(ClinicalSeal.cell("allergy", w.note(), facility, patient), note))
                .as("another table").isInstanceOf(FieldCipher.SealedValueException.class);
        byte[] file = owners().sql("select sealed_file from clinical_document where id = ?").param(w.document()).query(byte[].class).single();
        assertThatThrownBy(() -> cipher.openBytes(ClinicalSeal.cell("clinical_document", w.document(), facility, patient), file))
                .as("a document's bytes as its title").isInstanceOf(FieldCipher.SealedValueException.class);
        byte[] version = owners().sql("select sealed_snapshot from clinical_version where entity_type = 'allergy' and entity_id = ? and version = 1")
                .param(w.allergy()).query(byte[].class).single();
        assertThatThrownBy(() -> cipher.open(VersionLog.snapshotCell("clinical_version", "allergy", w.allergy(), 2, facility, patient), version))
                .as("one version for another").isInstanceOf(FieldCipher.SealedValueException.class);
    }

    private void erasedEverywhere(long patient, Written w) throws Exception {
        Api doc = as("physician");
        for (String path : List.of("/api/notes/" + w.note(), "/api/patients/" + patient + "/notes", "/api/patients/" + patient + "/allergies",
                "/api/allergies/" + w.allergy() + "/history", "/api/patients/" + patient + "/problems",
                "/api/patients/" + patient + "/observations", "/api/patients/" + patient + "/chart", "/api/documents/" + w.document(),
                "/fhir/Observation?patient=" + patient, "/fhir/AllergyIntolerance?patient=" + patient, "/fhir/Condition?patient=" + patient,
                "/fhir/DocumentReference?patient=" + patient)) {
            Api.Response r = doc.get(path);
            assertThat(r.status()).as(path + ": " + r).isEqualTo(200);
            assertThat(r.body()).as(path).doesNotContain(w.tag());
        }
        assertThat(doc.get("/api/patients/" + patient + "/allergies").body()).contains(ClinicalSeal.ERASED);
        assertThat(BrowserSession.signedIn(port, "physician").page("/patients/" + patient).status()).as("the chart page").isEqualTo(200);
        assertThat(content(w.document()).statusCode()).as("the document's bytes are gone, not missing").isEqualTo(409);
        Api.Response write = doc.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "After", "body", "x"));
        assertThat(write.status()).as("a write to an erased patient: " + write).isEqualTo(409);
    }

    @Test
    void rowsWrittenBeforeV64ReadAsBeforeAndTheRotationJobSealsThem() {
        long patient = fixtures().patientInCare();
        int facility = jdbc.sql("select facility_id from patient where id = ?").param(patient).query(Integer.class).single();
        long staff = fixtures().staffId("physician");
        long note = owners().sql("""
                        insert into clinical_note (facility_id, patient_id, kind, status, title, body, author_id, version, created_at, updated_at)
                        values (?, ?, 'PROGRESS', 'SIGNED', 'Legacy title', 'Legacy body', ?, 1, now(), now()) returning id""")
                .param(facility).param(patient).param(staff).query(Long.class).single();
        long observation = owners().sql("""
                        insert into observation (facility_id, patient_id, kind, code, label, value, unit, effective_at, status, recorded_by, version, created_at)
                        values (?, ?, 'LAB', '718-7', 'Legacy haemoglobin', 13.1, 'g/dL', now(), 'FINAL', ?, 1, now()) returning id""")
                .param(facility).param(patient).param(staff).query(Long.class).single();
        owners().sql("""
                        insert into clinical_version (entity_type, entity_id, version, facility_id, patient_id, recorded_at, author_id, reason, snapshot)
                        values ('note', ?, 1, ?, ?, now(), ?, 'legacy', cast(? as json))""")
                .param(note).param(facility).param(patient).param(staff).param(("{\"id\":%d,\"facilityId\":%d,\"patientId\":%d,\"kind\":\"PROGRESS\",\"status\":\"SIGNED\",\"title\":\"Legacy title\","
                        + "\"body\":\"Legacy body\",\"authorId\":%d,\"version\":1,\"createdAt\":\"2026-01-01T00:00:00Z\"}")
                        .formatted(note, facility, patient, staff)).update();
        Api doc = as("physician");
        assertThat(doc.get("/api/notes/" + note).body()).contains("Legacy body");
        assertThat(doc.get("/api/patients/" + patient + "/observations").body()).contains("Legacy haemoglobin");

        // as the job does, on the server's connection as a system job: clear values sealed, sealed ones sealed again
        SealedValues sealedValues = declared.stream().filter(d -> d.name().equals("clinical")).findFirst().orElseThrow();
        FacilityScope.asSystem(() -> {
            List<SealedValues.Value> values = sealedValues.after(facility, patient - 1, 1);
            assertThat(values).extracting(SealedValues.Value::cursor).containsOnly(patient);
            for (SealedValues.Value v : values) {
                byte[] sealed = v.sealed() == null ? cipher.seal(v.cell(), v.clear())
                        : cipher.sealBytes(v.cell(), cipher.openBytes(v.cell(), v.sealed()));
                assertThat(sealedValues.replace(v, sealed)).as(v.cell().toString()).isTrue();
            }
        });
        assertThat(owners().sql("select count(*) from clinical_note where id = ? and title is null and body is null and sealed_content is not null")
                .param(note).query(Long.class).single()).isEqualTo(1);
        assertThat(owners().sql("select count(*) from observation where id = ? and code is null and code_token is not null")
                .param(observation).query(Long.class).single()).isEqualTo(1);
        assertThat(owners().sql("select count(*) from clinical_version where patient_id = ? and snapshot is not null").param(patient)
                .query(Long.class).single()).isZero();
        assertThat(owners().sql("select count(*) from clinical_version where patient_id = ? and reason is not null").param(patient)
                .query(Long.class).single()).as("a reason written before V69, sealed too").isZero();
        assertThat(owners().sql("select count(*) from clinical_version where entity_id = ? and sealed_reason is not null").param(note)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(doc.get("/api/notes/" + note).body()).contains("Legacy body");
        assertThat(doc.get("/api/notes/" + note + "/history").body()).contains("Legacy body");
        assertThat(doc.get("/api/patients/" + patient + "/observations").body()).contains("Legacy haemoglobin");
    }

    private HttpResponse<byte[]> content(long document) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/documents/" + document
                + "/content")).header("Authorization", "Bearer " + as("physician").token()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JdbcClient owners() {
        return JdbcClient.create(owner);
    }

    /** The clinical tables as a backup holds them: COPY out, as their owner would. */
    private Map<String, byte[]> copyOut() throws Exception {
        Map<String, byte[]> dump = new java.util.LinkedHashMap<>();
        try (Connection c = owner.getConnection()) {
            for (String table : TABLES) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy " + table + " to stdout", out);
                dump.put(table, out.toByteArray());
            }
        }
        return dump;
    }
}
