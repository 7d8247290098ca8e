package org.dossier.clinical;

import org.dossier.platform.RecordLimits;

import org.dossier.platform.Imported;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** The clinical tables. Package-private: only the clinical services, which check access, read them. */
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

    long insertNote(int facilityId, long patientId, Long stayId, Note.Kind kind, String title, String body, long authorId,
                    Long amendsId, Instant now) {
        return jdbc.sql("""
                        insert into clinical_note (facility_id, patient_id, stay_id, kind, status, title, body, author_id, amends_id,
                            version, created_at, updated_at) values (?, ?, ?, ?, 'DRAFT', ?, ?, ?, ?, 1, ?, ?) returning id""")
                .param(facilityId).param(patientId).param(stayId).param(kind.name()).param(title).param(body).param(authorId)
                .param(amendsId).param(ts(now)).param(ts(now)).query(Long.class).single();
    }

    boolean updateNoteText(long id, int expectedVersion, String title, String body, Instant now) {
        return jdbc.sql("update clinical_note set title = ?, body = ?, version = version + 1, updated_at = ?"
                        + " where id = ? and version = ? and status = 'DRAFT'")
                .param(title).param(body).param(ts(now)).param(id).param(expectedVersion).update() == 1;
    }

    boolean changeNoteStatus(long id, int expectedVersion, Note.Status from, Note.Status to, Long signedBy, Instant now) {
        return jdbc.sql("""
                        update clinical_note set status = ?, signed_at = coalesce(signed_at, ?), signed_by = coalesce(signed_by, ?),
                            version = version + 1, updated_at = ? where id = ? and version = ? and status = ?""")
                .param(to.name()).param(signedBy == null ? null : ts(now)).param(signedBy).param(ts(now)).param(id)
                .param(expectedVersion).param(from.name()).update() == 1;
    }

    Optional<Note> note(long id) {
        return jdbc.sql("select " + NOTE + " from clinical_note where id = ?").param(id).query(ClinicalRepository::note).optional();
    }

    List<Note> notes(long patientId, int limit) {
        return jdbc.sql("select " + NOTE + " from clinical_note where patient_id = ? and status <> 'ENTERED_IN_ERROR'"
                        + " order by created_at desc, id desc limit ?")
                .param(patientId).param(limit).query(ClinicalRepository::note).list();
    }

    // ------------------------------------------------------------------ allergies

    long insertAllergy(int facilityId, long patientId, String substance, String code, String reaction, Allergy.Severity severity,
                       Allergy.Kind kind, Allergy.Status status, long authorId, Instant now, Imported source) {
        return jdbc.sql("""
                        insert into allergy (facility_id, patient_id, substance, substance_code, reaction, severity, kind, status,
                            recorded_by, version, created_at, updated_at, source)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(facilityId).param(patientId).param(substance).param(code).param(reaction).param(severity.name())
                .param(kind.name()).param(status.name()).param(authorId).param(ts(now)).param(ts(now)).param(json(source))
                .query(Long.class).single();
    }

    boolean updateAllergy(long id, int expectedVersion, String substance, String code, String reaction, Allergy.Severity severity,
                          Allergy.Kind kind, Allergy.Status status, long authorId, Instant now) {
        return jdbc.sql("""
                        update allergy set substance = ?, substance_code = ?, reaction = ?, severity = ?, kind = ?, status = ?,
                            recorded_by = ?, version = version + 1, updated_at = ?, source = null where id = ? and version = ?""")
                .param(substance).param(code).param(reaction).param(severity.name()).param(kind.name()).param(status.name())
                .param(authorId).param(ts(now)).param(id).param(expectedVersion).update() == 1;
    }

    Optional<Allergy> allergy(long id) {
        return jdbc.sql("select " + ALLERGY + " from allergy where id = ?").param(id).query(ClinicalRepository::allergy).optional();
    }

    List<Allergy> allergies(long patientId, boolean activeOnly) {
        return jdbc.sql("select " + ALLERGY + " from allergy where patient_id = ?"
                        + (activeOnly ? " and status = 'ACTIVE'" : " and status <> 'ENTERED_IN_ERROR'") + " order by severity desc, substance, id limit ?")
                .param(patientId).param(RecordLimits.fetch()).query(ClinicalRepository::allergy).list();
    }

    // ------------------------------------------------------------------ problems

    long insertProblem(int facilityId, long patientId, String codeSystem, String code, String label, LocalDate onset, Problem.Status status,
                       long authorId, Instant now, Imported source) {
        return jdbc.sql("""
                        insert into problem (facility_id, patient_id, code_system, icd10_code, label, onset_date, status, recorded_by, version,
                            created_at, updated_at, source) values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(facilityId).param(patientId).param(codeSystem).param(code).param(label).param(onset == null ? null : Date.valueOf(onset))
                .param(status.name()).param(authorId).param(ts(now)).param(ts(now)).param(json(source)).query(Long.class).single();
    }

    boolean updateProblem(long id, int expectedVersion, String code, String label, LocalDate onset, Problem.Status status,
                          long authorId, Instant now) {
        return jdbc.sql("""
                        update problem set code_system = 'ICD-10', icd10_code = ?, label = ?, onset_date = ?, status = ?, recorded_by = ?,
                            version = version + 1, updated_at = ?, source = null where id = ? and version = ?""")
                .param(code).param(label).param(onset == null ? null : Date.valueOf(onset)).param(status.name()).param(authorId)
                .param(ts(now)).param(id).param(expectedVersion).update() == 1;
    }

    Optional<Problem> problem(long id) {
        return jdbc.sql("select " + PROBLEM + " from problem where id = ?").param(id).query(ClinicalRepository::problem).optional();
    }

    List<Problem> problems(long patientId, boolean activeOnly) {
        return jdbc.sql("select " + PROBLEM + " from problem where patient_id = ?"
                        + (activeOnly ? " and status = 'ACTIVE'" : " and status <> 'ENTERED_IN_ERROR'") + " order by onset_date desc nulls last, id desc limit ?")
                .param(patientId).param(RecordLimits.fetch()).query(ClinicalRepository::problem).list();
    }

    // ------------------------------------------------------------------ observations

    long insertObservation(int facilityId, long patientId, ObservationKind kind, String code, String label, BigDecimal value,
                           BigDecimal value2, String unit, Instant effectiveAt, long authorId, Instant now, Imported source,
                           ObservationResult result) {
        return jdbc.sql("""
                        insert into observation (facility_id, patient_id, kind, code, label, value, value2, unit, effective_at, status,
                            recorded_by, version, created_at, source, result)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'FINAL', ?, 1, ?, cast(? as json), cast(? as json))
                            returning id""")
                .param(facilityId).param(patientId).param(kind.name()).param(code).param(label).param(value).param(value2).param(unit)
                .param(ts(effectiveAt)).param(authorId).param(ts(now)).param(json(source)).param(result == null ? null : result.toJson())
                .query(Long.class).single();
    }

    boolean markObservationInError(long id, int expectedVersion) {
        return jdbc.sql("update observation set status = 'ENTERED_IN_ERROR', version = version + 1 where id = ? and version = ?"
                        + " and status = 'FINAL'")
                .param(id).param(expectedVersion).update() == 1;
    }

    /** The patient's observations among {@code ids} (others' are never returned). */
    List<Observation> observations(long patientId, java.util.Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and id = any (?)")
                .param(patientId).param(ids.toArray(Long[]::new)).query(ClinicalRepository::observation).list();
    }

    Optional<Observation> observation(long id) {
        return jdbc.sql("select " + OBSERVATION + " from observation where id = ?").param(id).query(ClinicalRepository::observation).optional();
    }

    List<Observation> observations(long patientId, ObservationKind kind, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and (cast(? as text) is null or kind = ?)"
                        + " and effective_at >= ? and effective_at < ? and status = 'FINAL' order by effective_at desc limit ?")
                .param(patientId).param(kind == null ? null : kind.name()).param(kind == null ? null : kind.name())
                .param(ts(from)).param(ts(to)).param(limit).query(ClinicalRepository::observation).list();
    }

    /** All kinds, bounds either open: a search's window before its exact date test. */
    List<Observation> observations(long patientId, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + OBSERVATION + " from observation where patient_id = ? and status = 'FINAL'"
                        + " and (cast(? as timestamptz) is null or effective_at >= ?) and (cast(? as timestamptz) is null or effective_at < ?)"
                        + " order by effective_at desc, id desc limit ?")
                .param(patientId).param(ts(from)).param(ts(from)).param(ts(to)).param(ts(to)).param(limit)
                .query(ClinicalRepository::observation).list();
    }

    /** The latest value of each kind (and of each lab code), in one statement. */
    List<Observation> latestObservations(long patientId) {
        return jdbc.sql("select distinct on (kind, code) " + OBSERVATION + " from observation where patient_id = ? and status = 'FINAL'"
                        + " order by kind, code, effective_at desc limit 50")
                .param(patientId).query(ClinicalRepository::observation).list();
    }

    // ------------------------------------------------------------------ documents

    long insertDocument(int facilityId, long patientId, String title, String kind, String contentType, byte[] content, String sha256,
                        long authorId, Instant now) {
        return jdbc.sql("""
                        insert into clinical_document (facility_id, patient_id, title, kind, content_type, size_bytes, sha256, content,
                            status, uploaded_by, version, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'CURRENT', ?, 1, ?) returning id""")
                .param(facilityId).param(patientId).param(title).param(kind).param(contentType).param(content.length).param(sha256)
                .param(content).param(authorId).param(ts(now)).query(Long.class).single();
    }

    boolean markDocumentInError(long id, int expectedVersion) {
        return jdbc.sql("update clinical_document set status = 'ENTERED_IN_ERROR', version = version + 1 where id = ? and version = ?"
                        + " and status = 'CURRENT'")
                .param(id).param(expectedVersion).update() == 1;
    }

    Optional<ClinicalDocument> document(long id) {
        return jdbc.sql("select " + DOCUMENT + " from clinical_document where id = ?").param(id).query(ClinicalRepository::document).optional();
    }

    byte[] documentContent(long id) {
        return jdbc.sql("select content from clinical_document where id = ?").param(id).query(byte[].class).single();
    }

    List<ClinicalDocument> documents(long patientId, int limit) {
        return jdbc.sql("select " + DOCUMENT + " from clinical_document where patient_id = ? and status = 'CURRENT'"
                        + " order by created_at desc limit ?")
                .param(patientId).param(limit).query(ClinicalRepository::document).list();
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

    private static String json(Imported source) {
        return source == null ? null : source.toJson();
    }

    /** 120.000 reads back as 120 and 37.50 as 37.5, never as 1.2E+2. */
    static BigDecimal strip(BigDecimal b) {
        if (b == null) {
            return null;
        }
        BigDecimal s = b.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
