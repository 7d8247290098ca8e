package org.dossier.clinical.bulk;

import org.dossier.clinical.Allergy;
import org.dossier.clinical.ClinicalDocument;
import org.dossier.clinical.ClinicalSeal;
import org.dossier.clinical.Note;
import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.Problem;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Writes generated notes, allergies, problems and observations with COPY, sealed as the clinical services seal them
 * ({@link ClinicalSeal}, ADR 0051): with each patient's own key, made by the patient loader before. Write-only, for the
 * demo hospital.
 */
@Component
public class ClinicalBulkLoader {

    private static final Logger log = LoggerFactory.getLogger(ClinicalBulkLoader.class);
    private static final String[] VERSION_COLUMNS = {"entity_type", "entity_id", "version", "facility_id", "patient_id", "recorded_at",
            "author_id", "reason", "sealed_snapshot"};

    private final BulkLoad bulk;
    private final ClinicalSeal seal;
    private final JsonMapper json;

    ClinicalBulkLoader(BulkLoad bulk, ClinicalSeal seal, JsonMapper json) {
        this.bulk = bulk;
        this.seal = seal;
        this.json = json;
    }

    /** What sealing the records makes, in the order of their lists: each row's words, and its first version. */
    private record Sealed(byte[][] notes, byte[][] noteVersions, byte[][] allergies, byte[][] allergyVersions, byte[][] problems,
                          byte[][] problemVersions, byte[][] observations, byte[][] observationTokens, byte[][] observationVersions) {
    }

    public void load(List<Note> notes, List<Allergy> allergies, List<Problem> problems, List<Observation> observations, String reason) {
        long start = System.nanoTime();
        Sealed sealed = seal(notes, allergies, problems, observations);
        long sealedAt = System.nanoTime();
        copy(notes, allergies, problems, observations, sealed, reason);
        log.info("Clinical records loaded: {} notes, {} allergies, {} problems, {} observations in {} ms (sealing {} ms)", notes.size(),
                allergies.size(), problems.size(), observations.size(), (System.nanoTime() - start) / 1_000_000, (sealedAt - start) / 1_000_000);
    }

    /** Sealing is the costly part of a row: done for every list on every core before anything is copied. */
    private Sealed seal(List<Note> notes, List<Allergy> allergies, List<Problem> problems, List<Observation> observations) {
        return new Sealed(
                parallel(notes, n -> seal.seal("clinical_note", n.id(), n.facilityId(), n.patientId(), new ClinicalSeal.NoteText(n.title(), n.body()))),
                parallel(notes, n -> version("note", n.id(), n.version(), n.facilityId(), n.patientId(), n)),
                parallel(allergies, a -> seal.seal("allergy", a.id(), a.facilityId(), a.patientId(),
                        new ClinicalSeal.AllergyText(a.substance(), a.substanceCode(), a.reaction(), null))),
                parallel(allergies, a -> version("allergy", a.id(), a.version(), a.facilityId(), a.patientId(), a)),
                parallel(problems, p -> seal.seal("problem", p.id(), p.facilityId(), p.patientId(), new ClinicalSeal.CodedText(p.icd10Code(), p.label(), null))),
                parallel(problems, p -> version("problem", p.id(), p.version(), p.facilityId(), p.patientId(), p)),
                parallel(observations, o -> seal.seal("observation", o.id(), o.facilityId(), o.patientId(),
                        new ClinicalSeal.ObservationText(o.code(), o.label(), null, null))),
                parallel(observations, o -> seal.codeToken(o.facilityId(), o.patientId(), o.code())),
                parallel(observations, o -> version("observation", o.id(), o.version(), o.facilityId(), o.patientId(), o)));
    }

    private static <T> byte[][] parallel(List<T> rows, Function<T, byte[]> sealing) {
        return IntStream.range(0, rows.size()).parallel().mapToObj(i -> sealing.apply(rows.get(i))).toArray(byte[][]::new);
    }

    private byte[] version(String entityType, long id, int version, int facilityId, long patientId, Object record) {
        return seal.sealVersion(entityType, id, version, facilityId, patientId, json.writeValueAsString(record));
    }

    private void copy(List<Note> notes, List<Allergy> allergies, List<Problem> problems, List<Observation> observations, Sealed sealed,
                      String reason) {
        bulk.run(load -> load.withIndexesBuiltAfter(List.of("clinical_note", "allergy", "problem", "observation"), session -> {
            try (BulkCopy c = session.copy("clinical_note", "id", "facility_id", "patient_id", "stay_id", "kind", "status", "sealed_content",
                    "author_id", "amends_id", "signed_at", "signed_by", "version", "created_at", "updated_at")) {
                for (int i = 0; i < notes.size(); i++) {
                    Note n = notes.get(i);
                    c.row(n.id(), n.facilityId(), n.patientId(), n.stayId(), n.kind(), n.status(), sealed.notes()[i], n.authorId(),
                            n.amendsId(), n.signedAt(), n.signedBy(), n.version(), n.createdAt(), n.signedAt() == null ? n.createdAt() : n.signedAt());
                }
            }
            try (BulkCopy c = session.copy("allergy", "id", "facility_id", "patient_id", "sealed_content", "severity", "kind", "status",
                    "recorded_by", "version", "created_at", "updated_at")) {
                for (int i = 0; i < allergies.size(); i++) {
                    Allergy a = allergies.get(i);
                    c.row(a.id(), a.facilityId(), a.patientId(), sealed.allergies()[i], a.severity(), a.kind(), a.status(), a.recordedBy(),
                            a.version(), a.updatedAt(), a.updatedAt());
                }
            }
            try (BulkCopy c = session.copy("problem", "id", "facility_id", "patient_id", "sealed_content", "onset_date", "status",
                    "recorded_by", "version", "created_at", "updated_at")) {
                for (int i = 0; i < problems.size(); i++) {
                    Problem p = problems.get(i);
                    c.row(p.id(), p.facilityId(), p.patientId(), sealed.problems()[i], p.onsetDate(), p.status(), p.recordedBy(),
                            p.version(), p.updatedAt(), p.updatedAt());
                }
            }
            try (BulkCopy c = session.copy("observation", "id", "facility_id", "patient_id", "kind", "sealed_content", "code_token", "value",
                    "value2", "unit", "effective_at", "status", "recorded_by", "version", "created_at")) {
                for (int i = 0; i < observations.size(); i++) {
                    Observation o = observations.get(i);
                    c.row(o.id(), o.facilityId(), o.patientId(), o.kind(), sealed.observations()[i], sealed.observationTokens()[i],
                            o.value().toPlainString(), o.value2() == null ? null : o.value2().toPlainString(), o.unit(), o.effectiveAt(),
                            o.status(), o.recordedBy(), o.version(), o.effectiveAt());
                }
            }
            copyVersions(session, notes, allergies, problems, observations, sealed, reason);
            for (String table : List.of("clinical_note", "allergy", "problem", "observation")) {
                session.advanceSequence(table, "id");
            }
        }));
    }

    private static void copyVersions(BulkLoad.Session session, List<Note> notes, List<Allergy> allergies, List<Problem> problems,
                                     List<Observation> observations, Sealed sealed, String reason) throws SQLException {
        try (BulkCopy v = session.copy("clinical_version", VERSION_COLUMNS)) {
            for (int i = 0; i < notes.size(); i++) {
                Note n = notes.get(i);
                v.row("note", n.id(), n.version(), n.facilityId(), n.patientId(), n.createdAt(), n.authorId(), reason, sealed.noteVersions()[i]);
            }
            for (int i = 0; i < allergies.size(); i++) {
                Allergy a = allergies.get(i);
                v.row("allergy", a.id(), a.version(), a.facilityId(), a.patientId(), a.updatedAt(), a.recordedBy(), reason,
                        sealed.allergyVersions()[i]);
            }
            for (int i = 0; i < problems.size(); i++) {
                Problem p = problems.get(i);
                v.row("problem", p.id(), p.version(), p.facilityId(), p.patientId(), p.updatedAt(), p.recordedBy(), reason,
                        sealed.problemVersions()[i]);
            }
            for (int i = 0; i < observations.size(); i++) {
                Observation o = observations.get(i);
                v.row("observation", o.id(), o.version(), o.facilityId(), o.patientId(), o.effectiveAt(), o.recordedBy(), reason,
                        sealed.observationVersions()[i]);
            }
        }
    }

    /**
     * A result and a document released to a demo patient (ADR 0044), so that the portal's "My results" and "My documents"
     * show something: a haemoglobin measured by {@code physician} a week before {@code now}, and a short PDF letter, both
     * released by that physician, sealed like every clinical row. Written on the owner's connection like the rest of the demo.
     */
    public void releasedToPatient(long patientId, int facilityId, long physician, Instant now, String reason) {
        Instant measured = now.minus(Duration.ofDays(7));
        bulk.run(session -> {
            Connection c = session.connection();
            long observation = nextId(c, "observation");
            Observation result = new Observation(observation, facilityId, patientId, ObservationKind.LAB, "718-7", "Hémoglobine",
                    new BigDecimal("13.6"), null, "g/dL", measured, "FINAL", physician, 1);
            execute(c, """
                    insert into observation (id, facility_id, patient_id, kind, sealed_content, code_token, value, unit, effective_at, status,
                                             recorded_by, version, created_at)
                    values (?, ?, ?, 'LAB', ?, ?, 13.6, 'g/dL', ?, 'FINAL', ?, 1, ?)""",
                    observation, facilityId, patientId, seal.seal("observation", observation, facilityId, patientId,
                            new ClinicalSeal.ObservationText(result.code(), result.label(), null, null)),
                    seal.codeToken(facilityId, patientId, result.code()), Timestamp.from(measured), physician, Timestamp.from(measured));
            byte[] pdf = DemoLetter.pdf();
            long document = nextId(c, "clinical_document");
            ClinicalDocument letter = new ClinicalDocument(document, facilityId, patientId, "Compte rendu de consultation", "LETTER",
                    "application/pdf", pdf.length, DemoLetter.sha256(pdf), "CURRENT", physician, 1, measured);
            execute(c, """
                    insert into clinical_document (id, facility_id, patient_id, sealed_content, kind, content_type, size_bytes, sha256,
                                                   sealed_file, status, uploaded_by, version, created_at)
                    values (?, ?, ?, ?, 'LETTER', 'application/pdf', ?, ?, ?, 'CURRENT', ?, 1, ?)""",
                    document, facilityId, patientId, seal.seal("clinical_document", document, facilityId, patientId,
                            new ClinicalSeal.DocumentText(letter.title())), pdf.length, letter.sha256(),
                    seal.sealFile(document, facilityId, patientId, pdf), physician, Timestamp.from(measured));
            try (BulkCopy v = session.copy("clinical_version", VERSION_COLUMNS)) {
                v.row("observation", observation, 1, facilityId, patientId, measured, physician, reason,
                        version("observation", observation, 1, facilityId, patientId, result));
                v.row("document", document, 1, facilityId, patientId, measured, physician, reason,
                        version("document", document, 1, facilityId, patientId, letter));
            }
            for (Object[] released : new Object[][]{{"OBSERVATION", observation}, {"DOCUMENT", document}}) {
                execute(c, """
                        insert into clinical_release (record_kind, record_id, patient_id, facility_id, released_by, released_at)
                        values (?, ?, ?, ?, ?, ?)""",
                        released[0], released[1], patientId, facilityId, physician, Timestamp.from(now));
            }
        });
    }

    private static long nextId(Connection c, String table) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select nextval(pg_get_serial_sequence(?, 'id'))")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }
}
