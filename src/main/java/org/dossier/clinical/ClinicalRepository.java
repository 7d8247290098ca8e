package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.platform.Imported;
import org.dossier.platform.RecordLimits;
import org.dossier.platform.SqlQuery;
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

import static org.dossier.clinical.Rows.instant;
import static org.dossier.clinical.Rows.json;
import static org.dossier.clinical.Rows.patientOf;
import static org.dossier.clinical.Rows.strip;
import static org.dossier.clinical.Rows.ts;

/**
 * The clinical tables. Package-private: only the clinical services reach them, and every statement touches the rows of the
 * one patient the gateway's proof names (a write the facility of that patient), in the clinical section.
 */
@Repository
class ClinicalRepository {

    private static final String NOTE = "id, facility_id, patient_id, stay_id, kind, status, title, body, author_id, amends_id,"
            + " signed_at, signed_by, version, created_at";
    private static final String ALLERGY = "id, facility_id, patient_id, substance, substance_code, reaction, severity, kind, status,"
            + " recorded_by, version, updated_at, source::text as source";
    private static final String PROBLEM = "id, facility_id, patient_id, icd10_code, label, onset_date, status, recorded_by, version, updated_at, code_system,"
            + " source::text as source";
    private static final String OBSERVATION = "id, facility_id, patient_id, kind, code, label, value, value2, unit, effective_at, status,"
            + " recorded_by, version, source::text as source, result::text as result";
    private static final String DOCUMENT = "id, facility_id, patient_id, title, kind, content_type, size_bytes, sha256, status,"
            + " uploaded_by, version, created_at";

    private final JdbcClient jdbc;

    ClinicalRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    // ------------------------------------------------------------------ notes

    long insertNote(PatientAccess granted, Long stayId, Note.Kind kind, String title, String body, Long amendsId, Instant now) {
        return jdbc.sql("""
                        insert into clinical_note (facility_id, patient_id, stay_id, kind, status, title, body, author_id, amends_id,
                            version, created_at, updated_at) values (?, ?, ?, ?, 'DRAFT', ?, ?, ?, ?, 1, ?, ?) returning id""")
                .param(facilityOf(granted)).param(patientOf(granted)).param(stayId).param(kind.name()).param(title).param(body)
                .param(granted.actor().staffId()).param(amendsId).param(ts(now)).param(ts(now)).query(Long.class).single();
    }

    boolean updateNoteText(PatientAccess granted, long id, int expectedVersion, String title, String body, Instant now) {
        return jdbc.sql("update clinical_note set title = ?, body = ?, version = version + 1, updated_at = ?"
                        + " where id = ? and patient_id = ? and version = ? and status = 'DRAFT'")
                .param(title).param(body).param(ts(now)).param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    boolean changeNoteStatus(PatientAccess granted, long id, int expectedVersion, Note.Status from, Note.Status to, Long signedBy, Instant now) {
        return jdbc.sql("""
                        update clinical_note set status = ?, signed_at = coalesce(signed_at, ?), signed_by = coalesce(signed_by, ?),
                            version = version + 1, updated_at = ? where id = ? and patient_id = ? and version = ? and status = ?""")
                .param(to.name()).param(signedBy == null ? null : ts(now)).param(signedBy).param(ts(now)).param(id)
                .param(patientOf(granted)).param(expectedVersion).param(from.name()).update() == 1;
    }

    Optional<Note> note(PatientAccess granted, long id) {
        return one(NOTE, "clinical_note", granted, id, ClinicalRepository::note);
    }

    List<Note> notes(PatientAccess granted, int limit) {
        return notesQuery(granted, limit).run(jdbc);
    }

    /** {@link #notes}, to run now or with other queries in one round trip. */
    SqlQuery<List<Note>> notesQuery(PatientAccess granted, int limit) {
        return SqlQuery.list("select " + NOTE + " from clinical_note where patient_id = ? and status <> 'ENTERED_IN_ERROR'"
                + " order by created_at desc, id desc limit ?", ClinicalRepository::note, patientOf(granted), limit);
    }

    // ------------------------------------------------------------------ allergies

    long insertAllergy(PatientAccess granted, String substance, String code, String reaction, Allergy.Severity severity,
                       Allergy.Kind kind, Allergy.Status status, Instant now, Imported source) {
        return jdbc.sql("""
                        insert into allergy (facility_id, patient_id, substance, substance_code, reaction, severity, kind, status,
                            recorded_by, version, created_at, updated_at, source)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(facilityOf(granted)).param(patientOf(granted)).param(substance).param(code).param(reaction).param(severity.name())
                .param(kind.name()).param(status.name()).param(granted.actor().staffId()).param(ts(now)).param(ts(now)).param(json(source))
                .query(Long.class).single();
    }

    boolean updateAllergy(PatientAccess granted, long id, int expectedVersion, String substance, String code, String reaction,
                          Allergy.Severity severity, Allergy.Kind kind, Allergy.Status status, Instant now) {
        return jdbc.sql("""
                        update allergy set substance = ?, substance_code = ?, reaction = ?, severity = ?, kind = ?, status = ?,
                            recorded_by = ?, version = version + 1, updated_at = ?, source = null
                            where id = ? and patient_id = ? and version = ?""")
                .param(substance).param(code).param(reaction).param(severity.name()).param(kind.name()).param(status.name())
                .param(granted.actor().staffId()).param(ts(now)).param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    Optional<Allergy> allergy(PatientAccess granted, long id) {
        return one(ALLERGY, "allergy", granted, id, ClinicalRepository::allergy);
    }

    List<Allergy> allergies(PatientAccess granted, boolean activeOnly) {
        return allergiesQuery(granted, activeOnly).run(jdbc);
    }

    /** {@link #allergies}, to run now or with other queries in one round trip. */
    SqlQuery<List<Allergy>> allergiesQuery(PatientAccess granted, boolean activeOnly) {
        return SqlQuery.list("select " + ALLERGY + " from allergy where patient_id = ?"
                        + (activeOnly ? " and status = 'ACTIVE'" : " and status <> 'ENTERED_IN_ERROR'") + " order by severity desc, substance, id limit ?",
                ClinicalRepository::allergy, patientOf(granted), RecordLimits.fetch());
    }

    // ------------------------------------------------------------------ problems

    long insertProblem(PatientAccess granted, String codeSystem, String code, String label, LocalDate onset, Problem.Status status,
                       Instant now, Imported source) {
        return jdbc.sql("""
                        insert into problem (facility_id, patient_id, code_system, icd10_code, label, onset_date, status, recorded_by, version,
                            created_at, updated_at, source) values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(facilityOf(granted)).param(patientOf(granted)).param(codeSystem).param(code).param(label)
                .param(onset == null ? null : Date.valueOf(onset)).param(status.name()).param(granted.actor().staffId()).param(ts(now))
                .param(ts(now)).param(json(source)).query(Long.class).single();
    }

    boolean updateProblem(PatientAccess granted, long id, int expectedVersion, String code, String label, LocalDate onset,
                          Problem.Status status, Instant now) {
        return jdbc.sql("""
                        update problem set code_system = 'ICD-10', icd10_code = ?, label = ?, onset_date = ?, status = ?, recorded_by = ?,
                            version = version + 1, updated_at = ?, source = null where id = ? and patient_id = ? and version = ?""")
                .param(code).param(label).param(onset == null ? null : Date.valueOf(onset)).param(status.name())
                .param(granted.actor().staffId()).param(ts(now)).param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    Optional<Problem> problem(PatientAccess granted, long id) {
        return one(PROBLEM, "problem", granted, id, ClinicalRepository::problem);
    }

    List<Problem> problems(PatientAccess granted, boolean activeOnly) {
        return problemsQuery(granted, activeOnly).run(jdbc);
    }

    /** {@link #problems}, to run now or with other queries in one round trip. */
    SqlQuery<List<Problem>> problemsQuery(PatientAccess granted, boolean activeOnly) {
        return SqlQuery.list("select " + PROBLEM + " from problem where patient_id = ?"
                        + (activeOnly ? " and status = 'ACTIVE'" : " and status <> 'ENTERED_IN_ERROR'") + " order by onset_date desc nulls last, id desc limit ?",
                ClinicalRepository::problem, patientOf(granted), RecordLimits.fetch());
    }

    // ------------------------------------------------------------------ observations

    long insertObservation(PatientAccess granted, ObservationKind kind, String code, String label, BigDecimal value,
                           BigDecimal value2, String unit, Instant effectiveAt, Instant now, Imported source,
                           ObservationResult result) {
        return jdbc.sql("""
                        insert into observation (facility_id, patient_id, kind, code, label, value, value2, unit, effective_at, status,
                            recorded_by, version, created_at, source, result)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'FINAL', ?, 1, ?, cast(? as json), cast(? as json))
                            returning id""")
                .param(facilityOf(granted)).param(patientOf(granted)).param(kind.name()).param(code).param(label).param(value).param(value2)
                .param(unit).param(ts(effectiveAt)).param(granted.actor().staffId()).param(ts(now)).param(json(source))
                .param(result == null ? null : result.toJson()).query(Long.class).single();
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
                .param(patientId).param(ids.toArray(Long[]::new)).query(ClinicalRepository::observation).list();
    }

    Optional<Observation> observation(PatientAccess granted, long id) {
        return one(OBSERVATION, "observation", granted, id, ClinicalRepository::observation);
    }

    List<Observation> observations(PatientAccess granted, ObservationKind kind, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and (cast(? as text) is null or kind = ?)"
                        + " and effective_at >= ? and effective_at < ? and status = 'FINAL' order by effective_at desc limit ?")
                .param(patientOf(granted)).param(kind == null ? null : kind.name()).param(kind == null ? null : kind.name())
                .param(ts(from)).param(ts(to)).param(limit).query(ClinicalRepository::observation).list();
    }

    /** All kinds, bounds either open: a search's window before its exact date test. */
    List<Observation> observations(PatientAccess granted, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and status = 'FINAL'"
                        + " and (cast(? as timestamptz) is null or effective_at >= ?) and (cast(? as timestamptz) is null or effective_at < ?)"
                        + " order by effective_at desc, id desc limit ?")
                .param(patientOf(granted)).param(ts(from)).param(ts(from)).param(ts(to)).param(ts(to)).param(limit)
                .query(ClinicalRepository::observation).list();
    }

    /** The latest value of each kind (and of each lab code), in one statement. */
    List<Observation> latestObservations(PatientAccess granted) {
        return latestObservationsQuery(granted).run(jdbc);
    }

    /** {@link #latestObservations}, to run now or with other queries in one round trip. */
    SqlQuery<List<Observation>> latestObservationsQuery(PatientAccess granted) {
        return SqlQuery.list("select distinct on (kind, code) " + OBSERVATION + " from observation where patient_id = ? and status = 'FINAL'"
                + " order by kind, code, effective_at desc limit 50", ClinicalRepository::observation, patientOf(granted));
    }

    // ------------------------------------------------------------------ documents

    long insertDocument(PatientAccess granted, String title, String kind, String contentType, byte[] content, String sha256, Instant now) {
        return jdbc.sql("""
                        insert into clinical_document (facility_id, patient_id, title, kind, content_type, size_bytes, sha256, content,
                            status, uploaded_by, version, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'CURRENT', ?, 1, ?) returning id""")
                .param(facilityOf(granted)).param(patientOf(granted)).param(title).param(kind).param(contentType).param(content.length)
                .param(sha256).param(content).param(granted.actor().staffId()).param(ts(now)).query(Long.class).single();
    }

    boolean markDocumentInError(PatientAccess granted, long id, int expectedVersion) {
        return jdbc.sql("update clinical_document set status = 'ENTERED_IN_ERROR', version = version + 1"
                        + " where id = ? and patient_id = ? and version = ? and status = 'CURRENT'")
                .param(id).param(patientOf(granted)).param(expectedVersion).update() == 1;
    }

    Optional<ClinicalDocument> document(PatientAccess granted, long id) {
        return one(DOCUMENT, "clinical_document", granted, id, ClinicalRepository::document);
    }

    Optional<byte[]> documentContent(PatientAccess granted, long id) {
        return jdbc.sql("select content from clinical_document where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(byte[].class).optional();
    }

    List<ClinicalDocument> documents(PatientAccess granted, int limit) {
        return jdbc.sql("select " + DOCUMENT + " from clinical_document where patient_id = ? and status = 'CURRENT'"
                        + " order by created_at desc limit ?")
                .param(patientOf(granted)).param(limit).query(ClinicalRepository::document).list();
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
                .param(patientOf(granted)).param(limit).query(ClinicalRepository::observation).list();
    }

    /** The patient's released documents, newest first, or one of them ({@code id}); one entered in error is not shown. */
    List<ClinicalDocument> releasedDocuments(PatientAccess granted, Long id, int limit) {
        return jdbc.sql("select " + DOCUMENT + " from clinical_document d where patient_id = ? and status = 'CURRENT'"
                        + " and (cast(? as bigint) is null or id = ?) and exists (select 1 from clinical_release r"
                        + " where r.record_kind = 'DOCUMENT' and r.record_id = d.id and r.patient_id = d.patient_id)"
                        + " order by created_at desc, id desc limit ?")
                .param(patientOf(granted)).param(id).param(id).param(limit).query(ClinicalRepository::document).list();
    }

    /** One record of the proof's patient: another patient's id finds nothing. */
    private <T> Optional<T> one(String columns, String table, PatientAccess granted, long id, RowMapper<T> row) {
        return jdbc.sql("select " + columns + " from " + table + " where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(row).optional();
    }

    private static int facilityOf(PatientAccess granted) {
        return granted.patient().facilityId();
    }

    // ------------------------------------------------------------------ mapping

    private static Note note(ResultSet rs, int n) throws SQLException {
        return new Note(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), (Long) rs.getObject("stay_id"),
                Note.Kind.valueOf(rs.getString("kind")), Note.Status.valueOf(rs.getString("status")), rs.getString("title"),
                rs.getString("body"), rs.getLong("author_id"), (Long) rs.getObject("amends_id"), instant(rs.getTimestamp("signed_at")),
                (Long) rs.getObject("signed_by"), rs.getInt("version"), instant(rs.getTimestamp("created_at")));
    }

    private static Allergy allergy(ResultSet rs, int n) throws SQLException {
        return new Allergy(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("substance"),
                rs.getString("substance_code"), rs.getString("reaction"), Allergy.Severity.valueOf(rs.getString("severity")),
                Allergy.Kind.valueOf(rs.getString("kind")), Allergy.Status.valueOf(rs.getString("status")), rs.getLong("recorded_by"),
                rs.getInt("version"), instant(rs.getTimestamp("updated_at")), Imported.fromJson(rs.getString("source")));
    }

    private static Problem problem(ResultSet rs, int n) throws SQLException {
        Date onset = rs.getDate("onset_date");
        return new Problem(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("icd10_code"),
                rs.getString("label"), onset == null ? null : onset.toLocalDate(), Problem.Status.valueOf(rs.getString("status")),
                rs.getLong("recorded_by"), rs.getInt("version"), instant(rs.getTimestamp("updated_at")), rs.getString("code_system"),
                Imported.fromJson(rs.getString("source")));
    }

    private static Observation observation(ResultSet rs, int n) throws SQLException {
        return new Observation(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"),
                ObservationKind.valueOf(rs.getString("kind")), rs.getString("code"), rs.getString("label"),
                strip(rs.getBigDecimal("value")), strip(rs.getBigDecimal("value2")), rs.getString("unit"),
                instant(rs.getTimestamp("effective_at")), rs.getString("status"), rs.getLong("recorded_by"), rs.getInt("version"),
                Imported.fromJson(rs.getString("source")), ObservationResult.fromJson(rs.getString("result")));
    }

    private static ClinicalDocument document(ResultSet rs, int n) throws SQLException {
        return new ClinicalDocument(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("title"),
                rs.getString("kind"), rs.getString("content_type"), rs.getInt("size_bytes"), rs.getString("sha256"),
                rs.getString("status"), rs.getLong("uploaded_by"), rs.getInt("version"), instant(rs.getTimestamp("created_at")));
    }
}
