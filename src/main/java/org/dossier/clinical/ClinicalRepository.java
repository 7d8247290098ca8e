package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.access.PatientErased;
import org.dossier.platform.Imported;
import org.dossier.platform.RecordLimits;
import org.dossier.platform.SqlQuery;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.dossier.clinical.ClinicalSeal.ERASED;
import static org.dossier.clinical.Rows.instant;
import static org.dossier.clinical.Rows.json;
import static org.dossier.clinical.Rows.patientOf;
import static org.dossier.clinical.Rows.strip;
import static org.dossier.clinical.Rows.ts;

/**
 * The clinical tables. Package-private: only the clinical services reach them, and every statement touches the rows of the
 * one patient the gateway's proof names (a write the facility of that patient), in the clinical section. What a row says
 * of the patient is written sealed with the patient's key ({@link ClinicalSeal}, ADR 0051), its id drawn first since the
 * seal is bound to it; rows written before V64 are read from their clear columns.
 */
@Repository
class ClinicalRepository {

    private static final String NOTE = "id, facility_id, patient_id, stay_id, kind, status, title, body, author_id, amends_id,"
            + " signed_at, signed_by, version, created_at, sealed_content";
    private static final String ALLERGY = "id, facility_id, patient_id, substance, substance_code, reaction, severity, kind, status,"
            + " recorded_by, version, updated_at, source::text as source, sealed_content";
    private static final String PROBLEM = "id, facility_id, patient_id, icd10_code, label, onset_date, status, recorded_by, version, updated_at, code_system,"
            + " source::text as source, sealed_content";
    private static final String OBSERVATION = "id, facility_id, patient_id, kind, code, label, value, value2, unit, effective_at, status,"
            + " recorded_by, version, source::text as source, result::text as result, sealed_content";
    private static final String DOCUMENT = "id, facility_id, patient_id, title, kind, content_type, size_bytes, sha256, status,"
            + " uploaded_by, version, created_at, sealed_content";
    /** The latest of each code groups by the code's blind index, or the code of a row written before V64. */
    private static final String CODE_KEY = "coalesce(code_token, convert_to(code, 'UTF8'))";

    private final JdbcClient jdbc;
    private final ClinicalSeal seal;

    ClinicalRepository(JdbcClient jdbc, ClinicalSeal seal) {
        this.jdbc = jdbc;
        this.seal = seal;
    }

    /**
     * A patient's key is being shredded (ADR 0047): each observation's code token, keyed by the facility's index key that
     * lives on, would still let whoever holds that key test which tests the patient had; it becomes the row's own id, which
     * no code hashes to, so the rows stay (their dates and numbers belong to no one now) and group by nothing.
     */
    @EventListener
    void erased(PatientErased erased) {
        jdbc.sql("update observation set code_token = '\\x00'::bytea || int8send(id) where patient_id = ? and facility_id = ?"
                        + " and code_token is not null")
                .param(erased.patientId()).param(erased.facilityId()).update();
    }

    /** A new row's id, drawn before the row is written: its sealed words are bound to it. */
    private long nextId(String table) {
        return jdbc.sql("select nextval(pg_get_serial_sequence(?, 'id'))").param(table).query(Long.class).single();
    }

    private byte[] sealed(PatientAccess granted, String table, long id, Object text) {
        return seal.seal(table, id, facilityOf(granted), patientOf(granted), text);
    }

    // ------------------------------------------------------------------ notes

    long insertNote(PatientAccess granted, Long stayId, Note.Kind kind, String title, String body, Long amendsId, Instant now) {
        long id = nextId("clinical_note");
        jdbc.sql("""
                        insert into clinical_note (id, facility_id, patient_id, stay_id, kind, status, sealed_content, author_id, amends_id,
                            version, created_at, updated_at) values (?, ?, ?, ?, ?, 'DRAFT', ?, ?, ?, 1, ?, ?)""")
                .param(id).param(facilityOf(granted)).param(patientOf(granted)).param(stayId).param(kind.name())
                .param(sealed(granted, "clinical_note", id, new ClinicalSeal.NoteText(title, body)))
                .param(granted.actor().staffId()).param(amendsId).param(ts(now)).param(ts(now)).update();
        return id;
    }

    boolean updateNoteText(PatientAccess granted, long id, int expectedVersion, String title, String body, Instant now) {
        return jdbc.sql("update clinical_note set sealed_content = ?, title = null, body = null, version = version + 1, updated_at = ?"
                        + " where id = ? and patient_id = ? and version = ? and status = 'DRAFT'")
                .param(sealed(granted, "clinical_note", id, new ClinicalSeal.NoteText(title, body))).param(ts(now)).param(id)
                .param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    boolean changeNoteStatus(PatientAccess granted, long id, int expectedVersion, Note.Status from, Note.Status to, Long signedBy, Instant now) {
        return jdbc.sql("""
                        update clinical_note set status = ?, signed_at = coalesce(signed_at, ?), signed_by = coalesce(signed_by, ?),
                            version = version + 1, updated_at = ? where id = ? and patient_id = ? and version = ? and status = ?""")
                .param(to.name()).param(signedBy == null ? null : ts(now)).param(signedBy).param(ts(now)).param(id)
                .param(patientOf(granted)).param(expectedVersion).param(from.name()).update() == 1;
    }

    Optional<Note> note(PatientAccess granted, long id) {
        return one(NOTE, "clinical_note", granted, id, this::note);
    }

    List<Note> notes(PatientAccess granted, int limit) {
        return notesQuery(granted, limit).run(jdbc);
    }

    /** {@link #notes}, to run now or with other queries in one round trip. */
    SqlQuery<List<Note>> notesQuery(PatientAccess granted, int limit) {
        return SqlQuery.list("select " + NOTE + " from clinical_note where patient_id = ? and status <> 'ENTERED_IN_ERROR'"
                + " order by created_at desc, id desc limit ?", this::note, patientOf(granted), limit);
    }

    // ------------------------------------------------------------------ allergies

    long insertAllergy(PatientAccess granted, String substance, String code, String reaction, Allergy.Severity severity,
                       Allergy.Kind kind, Allergy.Status status, Instant now, Imported source) {
        long id = nextId("allergy");
        jdbc.sql("""
                        insert into allergy (id, facility_id, patient_id, sealed_content, severity, kind, status,
                            recorded_by, version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""")
                .param(id).param(facilityOf(granted)).param(patientOf(granted))
                .param(sealed(granted, "allergy", id, new ClinicalSeal.AllergyText(substance, code, reaction, json(source))))
                .param(severity.name()).param(kind.name()).param(status.name()).param(granted.actor().staffId()).param(ts(now)).param(ts(now))
                .update();
        return id;
    }

    boolean updateAllergy(PatientAccess granted, long id, int expectedVersion, String substance, String code, String reaction,
                          Allergy.Severity severity, Allergy.Kind kind, Allergy.Status status, Instant now) {
        return jdbc.sql("""
                        update allergy set sealed_content = ?, substance = null, substance_code = null, reaction = null, severity = ?, kind = ?,
                            status = ?, recorded_by = ?, version = version + 1, updated_at = ?, source = null
                            where id = ? and patient_id = ? and version = ?""")
                .param(sealed(granted, "allergy", id, new ClinicalSeal.AllergyText(substance, code, reaction, null)))
                .param(severity.name()).param(kind.name()).param(status.name())
                .param(granted.actor().staffId()).param(ts(now)).param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    Optional<Allergy> allergy(PatientAccess granted, long id) {
        return one(ALLERGY, "allergy", granted, id, this::allergy);
    }

    List<Allergy> allergies(PatientAccess granted, boolean activeOnly) {
        return allergiesQuery(granted, activeOnly).run(jdbc);
    }

    /** {@link #allergies}, to run now or with other queries in one round trip. */
    SqlQuery<List<Allergy>> allergiesQuery(PatientAccess granted, boolean activeOnly) {
        // the substance is sealed: the rows are ordered by it once opened
        return sorted(SqlQuery.list("select " + ALLERGY + " from allergy where patient_id = ?"
                        + (activeOnly ? " and status = 'ACTIVE'" : " and status <> 'ENTERED_IN_ERROR'") + " order by severity desc, id limit ?",
                this::allergy, patientOf(granted), RecordLimits.fetch()), java.util.Comparator.comparing(Allergy::severity).reversed()
                .thenComparing(Allergy::substance).thenComparingLong(Allergy::id));
    }

    // ------------------------------------------------------------------ problems

    long insertProblem(PatientAccess granted, String codeSystem, String code, String label, LocalDate onset, Problem.Status status,
                       Instant now, Imported source) {
        long id = nextId("problem");
        jdbc.sql("""
                        insert into problem (id, facility_id, patient_id, code_system, sealed_content, onset_date, status, recorded_by, version,
                            created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""")
                .param(id).param(facilityOf(granted)).param(patientOf(granted)).param(codeSystem)
                .param(sealed(granted, "problem", id, new ClinicalSeal.CodedText(code, label, json(source))))
                .param(onset == null ? null : Date.valueOf(onset)).param(status.name()).param(granted.actor().staffId()).param(ts(now))
                .param(ts(now)).update();
        return id;
    }

    boolean updateProblem(PatientAccess granted, long id, int expectedVersion, String code, String label, LocalDate onset,
                          Problem.Status status, Instant now) {
        return jdbc.sql("""
                        update problem set code_system = 'ICD-10', sealed_content = ?, icd10_code = null, label = null, onset_date = ?,
                            status = ?, recorded_by = ?, version = version + 1, updated_at = ?, source = null
                            where id = ? and patient_id = ? and version = ?""")
                .param(sealed(granted, "problem", id, new ClinicalSeal.CodedText(code, label, null)))
                .param(onset == null ? null : Date.valueOf(onset)).param(status.name())
                .param(granted.actor().staffId()).param(ts(now)).param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    Optional<Problem> problem(PatientAccess granted, long id) {
        return one(PROBLEM, "problem", granted, id, this::problem);
    }

    List<Problem> problems(PatientAccess granted, boolean activeOnly) {
        return problemsQuery(granted, activeOnly).run(jdbc);
    }

    /** {@link #problems}, to run now or with other queries in one round trip. */
    SqlQuery<List<Problem>> problemsQuery(PatientAccess granted, boolean activeOnly) {
        return SqlQuery.list("select " + PROBLEM + " from problem where patient_id = ?"
                        + (activeOnly ? " and status = 'ACTIVE'" : " and status <> 'ENTERED_IN_ERROR'") + " order by onset_date desc nulls last, id desc limit ?",
                this::problem, patientOf(granted), RecordLimits.fetch());
    }

    // ------------------------------------------------------------------ observations

    long insertObservation(PatientAccess granted, ObservationKind kind, String code, String label, BigDecimal value,
                           BigDecimal value2, String unit, Instant effectiveAt, Instant now, Imported source,
                           ObservationResult result) {
        long id = nextId("observation");
        jdbc.sql("""
                        insert into observation (id, facility_id, patient_id, kind, sealed_content, code_token, value, value2, unit,
                            effective_at, status, recorded_by, version, created_at)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'FINAL', ?, 1, ?)""")
                .param(id).param(facilityOf(granted)).param(patientOf(granted)).param(kind.name())
                .param(sealed(granted, "observation", id, new ClinicalSeal.ObservationText(code, label, json(source),
                        result == null ? null : result.toJson())))
                .param(seal.codeToken(facilityOf(granted), patientOf(granted), code)).param(value).param(value2)
                .param(unit).param(ts(effectiveAt)).param(granted.actor().staffId()).param(ts(now)).update();
        return id;
    }

    boolean markObservationInError(PatientAccess granted, long id, int expectedVersion) {
        return jdbc.sql("update observation set status = 'ENTERED_IN_ERROR', version = version + 1"
                        + " where id = ? and patient_id = ? and version = ? and status = 'FINAL'")
                .param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    /** The patient's observations among {@code ids} (others' are never returned). */
    List<Observation> observations(PatientAccess granted, java.util.Collection<Long> ids) {
        long patientId = patientOf(granted);
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and id = any (?)")
                .param(patientId).param(ids.toArray(Long[]::new)).query(this::observation).list();
    }

    Optional<Observation> observation(PatientAccess granted, long id) {
        return one(OBSERVATION, "observation", granted, id, this::observation);
    }

    List<Observation> observations(PatientAccess granted, ObservationKind kind, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and (cast(? as text) is null or kind = ?)"
                        + " and effective_at >= ? and effective_at < ? and status = 'FINAL' order by effective_at desc limit ?")
                .param(patientOf(granted)).param(kind == null ? null : kind.name()).param(kind == null ? null : kind.name())
                .param(ts(from)).param(ts(to)).param(limit).query(this::observation).list();
    }

    /** All kinds, bounds either open: a search's window before its exact date test. */
    List<Observation> observations(PatientAccess granted, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and status = 'FINAL'"
                        + " and (cast(? as timestamptz) is null or effective_at >= ?) and (cast(? as timestamptz) is null or effective_at < ?)"
                        + " order by effective_at desc, id desc limit ?")
                .param(patientOf(granted)).param(ts(from)).param(ts(from)).param(ts(to)).param(ts(to)).param(limit)
                .query(this::observation).list();
    }

    /** The latest value of each kind (and of each lab code), in one statement. */
    List<Observation> latestObservations(PatientAccess granted) {
        return latestObservationsQuery(granted).run(jdbc);
    }

    /** {@link #latestObservations}, to run now or with other queries in one round trip. */
    SqlQuery<List<Observation>> latestObservationsQuery(PatientAccess granted) {
        // the code is sealed: grouped by its blind index, then ordered by kind and code once opened, as before
        return sorted(SqlQuery.list("select distinct on (kind, " + CODE_KEY + ") " + OBSERVATION + " from observation where patient_id = ?"
                        + " and status = 'FINAL' order by kind, " + CODE_KEY + ", effective_at desc limit 50", this::observation, patientOf(granted)),
                java.util.Comparator.comparing(Observation::kind).thenComparing(Observation::code,
                        java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
    }

    // ------------------------------------------------------------------ documents

    long insertDocument(PatientAccess granted, String title, String kind, String contentType, byte[] content, String sha256, Instant now) {
        long id = nextId("clinical_document");
        jdbc.sql("""
                        insert into clinical_document (id, facility_id, patient_id, sealed_content, kind, content_type, size_bytes, sha256,
                            sealed_file, status, uploaded_by, version, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'CURRENT', ?, 1, ?)""")
                .param(id).param(facilityOf(granted)).param(patientOf(granted))
                .param(sealed(granted, "clinical_document", id, new ClinicalSeal.DocumentText(title))).param(kind).param(contentType)
                .param(content.length).param(sha256).param(seal.sealFile(id, facilityOf(granted), patientOf(granted), content))
                .param(granted.actor().staffId()).param(ts(now)).update();
        return id;
    }

    boolean markDocumentInError(PatientAccess granted, long id, int expectedVersion) {
        return jdbc.sql("update clinical_document set status = 'ENTERED_IN_ERROR', version = version + 1"
                        + " where id = ? and patient_id = ? and version = ? and status = 'CURRENT'")
                .param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    Optional<ClinicalDocument> document(PatientAccess granted, long id) {
        return one(DOCUMENT, "clinical_document", granted, id, this::document);
    }

    /** The document's bytes; a shredded patient's are refused (409: they are gone, not missing). */
    Optional<byte[]> documentContent(PatientAccess granted, long id) {
        return jdbc.sql("select facility_id, patient_id, content, sealed_file from clinical_document where id = ? and patient_id = ?")
                .param(id).param(patientOf(granted))
                .query((rs, n) -> rs.getBytes("sealed_file") == null ? rs.getBytes("content")
                        : seal.openFile(id, rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getBytes("sealed_file")))
                .optional();
    }

    List<ClinicalDocument> documents(PatientAccess granted, int limit) {
        return jdbc.sql("select " + DOCUMENT + " from clinical_document where patient_id = ? and status = 'CURRENT'"
                        + " order by created_at desc limit ?")
                .param(patientOf(granted)).param(limit).query(this::document).list();
    }

    // ------------------------------------------------------------------ released to the patient (ADR 0044)

    /** Releases one record of the proof's patient to them (the record must be theirs); false when it already was. */
    boolean release(PatientAccess granted, RecordKind kind, long id, Instant now) {
        return jdbc.sql("insert into clinical_release (record_kind, record_id, patient_id, facility_id, released_by, released_at)"
                        + " select ?, id, patient_id, facility_id, ?, ? from " + kind.table() + " where id = ? and patient_id = ?"
                        + " on conflict do nothing")
                .param(kind.name()).param(granted.actor().staffId()).param(ts(now)).param(id).param(patientOf(granted)).update() == 1;
    }

    /** Which of the patient's records of this kind were released to them (the chart marks them). */
    java.util.Set<Long> releasedIds(PatientAccess granted, RecordKind kind) {
        return new java.util.HashSet<>(jdbc.sql("select record_id from clinical_release where patient_id = ? and record_kind = ?")
                .param(patientOf(granted)).param(kind.name()).query(Long.class).list());
    }

    /** The patient's released results, newest first; one marked entered in error is no longer shown. */
    List<Observation> releasedObservations(PatientAccess granted, int limit) {
        return jdbc.sql("select " + OBSERVATION + " from observation o where patient_id = ? and status = 'FINAL' and exists (select 1"
                        + " from clinical_release r where r.record_kind = 'OBSERVATION' and r.record_id = o.id and r.patient_id = o.patient_id)"
                        + " order by effective_at desc, id desc limit ?")
                .param(patientOf(granted)).param(limit).query(this::observation).list();
    }

    /** The patient's released documents, newest first, or one of them ({@code id}); one entered in error is not shown. */
    List<ClinicalDocument> releasedDocuments(PatientAccess granted, Long id, int limit) {
        return jdbc.sql("select " + DOCUMENT + " from clinical_document d where patient_id = ? and status = 'CURRENT'"
                        + " and (cast(? as bigint) is null or id = ?) and exists (select 1 from clinical_release r"
                        + " where r.record_kind = 'DOCUMENT' and r.record_id = d.id and r.patient_id = d.patient_id)"
                        + " order by created_at desc, id desc limit ?")
                .param(patientOf(granted)).param(id).param(id).param(limit).query(this::document).list();
    }

    /** One record of the proof's patient: another patient's id finds nothing. */
    private <T> Optional<T> one(String columns, String table, PatientAccess granted, long id, RowMapper<T> row) {
        return jdbc.sql("select " + columns + " from " + table + " where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(row).optional();
    }

    private static int facilityOf(PatientAccess granted) {
        return granted.patient().facilityId();
    }

    /** A list query whose rows are put in an order SQL cannot give them (by a sealed value) once read. */
    private static <R> SqlQuery<List<R>> sorted(SqlQuery<List<R>> query, java.util.Comparator<R> order) {
        return new SqlQuery<>(query.sql(), query.params(), rs -> {
            List<R> rows = new java.util.ArrayList<>(query.rows().extractData(rs));
            rows.sort(order);
            return rows;
        });
    }

    /** The row's sealed words opened ({@code erased} for a shredded patient's), or null for a row written before V64. */
    private <T> T opened(ResultSet rs, String table, Class<T> type, T erased) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_content");
        if (sealed == null) {
            return null;
        }
        T text = seal.open(table, rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), sealed, type);
        return text == null ? erased : text;
    }

    // ------------------------------------------------------------------ mapping

    private Note note(ResultSet rs, int n) throws SQLException {
        ClinicalSeal.NoteText text = opened(rs, "clinical_note", ClinicalSeal.NoteText.class, new ClinicalSeal.NoteText(ERASED, ERASED));
        return new Note(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), (Long) rs.getObject("stay_id"),
                Note.Kind.valueOf(rs.getString("kind")), Note.Status.valueOf(rs.getString("status")),
                text == null ? rs.getString("title") : text.title(), text == null ? rs.getString("body") : text.body(),
                rs.getLong("author_id"), (Long) rs.getObject("amends_id"), instant(rs.getTimestamp("signed_at")),
                (Long) rs.getObject("signed_by"), rs.getInt("version"), instant(rs.getTimestamp("created_at")));
    }

    private Allergy allergy(ResultSet rs, int n) throws SQLException {
        ClinicalSeal.AllergyText text = opened(rs, "allergy", ClinicalSeal.AllergyText.class, new ClinicalSeal.AllergyText(ERASED, null, null, null));
        if (text == null) {
            text = new ClinicalSeal.AllergyText(rs.getString("substance"), rs.getString("substance_code"), rs.getString("reaction"),
                    rs.getString("source"));
        }
        return new Allergy(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), text.substance(), text.substanceCode(),
                text.reaction(), Allergy.Severity.valueOf(rs.getString("severity")), Allergy.Kind.valueOf(rs.getString("kind")),
                Allergy.Status.valueOf(rs.getString("status")), rs.getLong("recorded_by"), rs.getInt("version"),
                instant(rs.getTimestamp("updated_at")), Imported.fromJson(text.source()));
    }

    private Problem problem(ResultSet rs, int n) throws SQLException {
        ClinicalSeal.CodedText text = opened(rs, "problem", ClinicalSeal.CodedText.class, new ClinicalSeal.CodedText(null, ERASED, null));
        if (text == null) {
            text = new ClinicalSeal.CodedText(rs.getString("icd10_code"), rs.getString("label"), rs.getString("source"));
        }
        Date onset = rs.getDate("onset_date");
        return new Problem(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), text.code(), text.label(),
                onset == null ? null : onset.toLocalDate(), Problem.Status.valueOf(rs.getString("status")), rs.getLong("recorded_by"),
                rs.getInt("version"), instant(rs.getTimestamp("updated_at")), rs.getString("code_system"), Imported.fromJson(text.source()));
    }

    private Observation observation(ResultSet rs, int n) throws SQLException {
        ClinicalSeal.ObservationText text = opened(rs, "observation", ClinicalSeal.ObservationText.class,
                new ClinicalSeal.ObservationText(null, ERASED, null, null));
        if (text == null) {
            text = new ClinicalSeal.ObservationText(rs.getString("code"), rs.getString("label"), rs.getString("source"), rs.getString("result"));
        }
        return new Observation(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                ObservationKind.valueOf(rs.getString("kind")), text.code(), text.label(),
                strip(rs.getBigDecimal("value")), strip(rs.getBigDecimal("value2")), rs.getString("unit"),
                instant(rs.getTimestamp("effective_at")), rs.getString("status"), rs.getLong("recorded_by"), rs.getInt("version"),
                Imported.fromJson(text.source()), ObservationResult.fromJson(text.result()));
    }

    private ClinicalDocument document(ResultSet rs, int n) throws SQLException {
        ClinicalSeal.DocumentText text = opened(rs, "clinical_document", ClinicalSeal.DocumentText.class, new ClinicalSeal.DocumentText(ERASED));
        return new ClinicalDocument(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                text == null ? rs.getString("title") : text.title(), rs.getString("kind"), rs.getString("content_type"),
                rs.getInt("size_bytes"), rs.getString("sha256"), rs.getString("status"), rs.getLong("uploaded_by"), rs.getInt("version"),
                instant(rs.getTimestamp("created_at")));
    }
}
