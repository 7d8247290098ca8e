package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.platform.Imported;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.dossier.clinical.Rows.instant;
import static org.dossier.clinical.Rows.json;
import static org.dossier.clinical.Rows.patientOf;
import static org.dossier.clinical.Rows.ts;

/** The procedure and immunization tables. Package-private: only their services reach them, each statement confined to the patient of the gateway's proof. */
@Repository
class InterventionRepository {

    private static final String PROCEDURE = "id, facility_id, patient_id, code_system, code, label, status, performed_start, performed_end,"
            + " recorded_by, version, updated_at, source::text as source, sealed_content";
    private static final String IMMUNIZATION = "id, facility_id, patient_id, code_system, code, label, status, occurred_at,"
            + " recorded_by, version, updated_at, source::text as source, sealed_content";
    private static final ClinicalSeal.CodedText ERASED = new ClinicalSeal.CodedText(null, ClinicalSeal.ERASED, null);

    private final JdbcClient jdbc;
    private final ClinicalSeal seal;

    InterventionRepository(JdbcClient jdbc, ClinicalSeal seal) {
        this.jdbc = jdbc;
        this.seal = seal;
    }

    /** A new row's id, drawn first: its sealed code and label (ADR 0051) are bound to it. */
    private long nextId(String table) {
        return jdbc.sql("select nextval(pg_get_serial_sequence(?, 'id'))").param(table).query(Long.class).single();
    }

    private byte[] sealed(PatientAccess granted, String table, long id, String code, String label, Imported source) {
        return seal.seal(table, id, granted.patient().facilityId(), patientOf(granted), new ClinicalSeal.CodedText(code, label, json(source)));
    }

    long insertProcedure(PatientAccess granted, String codeSystem, String code, String label, String status, Instant start,
                         Instant end, Instant now, Imported source) {
        long id = nextId("procedure_record");
        jdbc.sql("""
                        insert into procedure_record (id, facility_id, patient_id, code_system, sealed_content, status, performed_start,
                            performed_end, recorded_by, version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""")
                .param(id).param(granted.patient().facilityId()).param(patientOf(granted)).param(codeSystem)
                .param(sealed(granted, "procedure_record", id, code, label, source)).param(status)
                .param(ts(start)).param(ts(end)).param(granted.actor().staffId()).param(ts(now)).param(ts(now)).update();
        return id;
    }

    Optional<Procedure> procedure(PatientAccess granted, long id) {
        return jdbc.sql("select " + PROCEDURE + " from procedure_record where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(this::procedure).optional();
    }

    List<Procedure> procedures(PatientAccess granted, int limit) {
        return jdbc.sql("select " + PROCEDURE + " from procedure_record where patient_id = ? and status <> 'entered-in-error'"
                        + " order by performed_start desc nulls last, id desc limit ?")
                .param(patientOf(granted)).param(limit).query(this::procedure).list();
    }

    long insertImmunization(PatientAccess granted, String codeSystem, String code, String label, String status, Instant at,
                            Instant now, Imported source) {
        long id = nextId("immunization");
        jdbc.sql("""
                        insert into immunization (id, facility_id, patient_id, code_system, sealed_content, status, occurred_at,
                            recorded_by, version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""")
                .param(id).param(granted.patient().facilityId()).param(patientOf(granted)).param(codeSystem)
                .param(sealed(granted, "immunization", id, code, label, source)).param(status)
                .param(ts(at)).param(granted.actor().staffId()).param(ts(now)).param(ts(now)).update();
        return id;
    }

    Optional<Immunization> immunization(PatientAccess granted, long id) {
        return jdbc.sql("select " + IMMUNIZATION + " from immunization where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(this::immunization).optional();
    }

    List<Immunization> immunizations(PatientAccess granted, int limit) {
        return jdbc.sql("select " + IMMUNIZATION + " from immunization where patient_id = ? and status <> 'entered-in-error'"
                        + " order by occurred_at desc nulls last, id desc limit ?")
                .param(patientOf(granted)).param(limit).query(this::immunization).list();
    }

    /** The row's code, label and source: opened (erased for a shredded patient), or as written before V64. */
    private ClinicalSeal.CodedText text(ResultSet rs, String table) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_content");
        if (sealed == null) {
            return new ClinicalSeal.CodedText(rs.getString("code"), rs.getString("label"), rs.getString("source"));
        }
        ClinicalSeal.CodedText text = seal.open(table, rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), sealed,
                ClinicalSeal.CodedText.class);
        return text == null ? ERASED : text;
    }

    private Procedure procedure(ResultSet rs, int n) throws SQLException {
        ClinicalSeal.CodedText text = text(rs, "procedure_record");
        return new Procedure(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("code_system"),
                text.code(), text.label(), rs.getString("status"), instant(rs.getTimestamp("performed_start")),
                instant(rs.getTimestamp("performed_end")), rs.getLong("recorded_by"), rs.getInt("version"),
                instant(rs.getTimestamp("updated_at")), Imported.fromJson(text.source()));
    }

    private Immunization immunization(ResultSet rs, int n) throws SQLException {
        ClinicalSeal.CodedText text = text(rs, "immunization");
        return new Immunization(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("code_system"),
                text.code(), text.label(), rs.getString("status"), instant(rs.getTimestamp("occurred_at")),
                rs.getLong("recorded_by"), rs.getInt("version"), instant(rs.getTimestamp("updated_at")),
                Imported.fromJson(text.source()));
    }
}
