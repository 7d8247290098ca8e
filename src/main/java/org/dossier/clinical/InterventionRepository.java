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
            + " recorded_by, version, updated_at, source::text as source";
    private static final String IMMUNIZATION = "id, facility_id, patient_id, code_system, code, label, status, occurred_at,"
            + " recorded_by, version, updated_at, source::text as source";

    private final JdbcClient jdbc;

    InterventionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insertProcedure(PatientAccess granted, String codeSystem, String code, String label, String status, Instant start,
                         Instant end, Instant now, Imported source) {
        return jdbc.sql("""
                        insert into procedure_record (facility_id, patient_id, code_system, code, label, status, performed_start, performed_end,
                            recorded_by, version, created_at, updated_at, source)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(granted.patient().facilityId()).param(patientOf(granted)).param(codeSystem).param(code).param(label).param(status)
                .param(ts(start)).param(ts(end)).param(granted.actor().staffId()).param(ts(now)).param(ts(now)).param(json(source))
                .query(Long.class).single();
    }

    Optional<Procedure> procedure(PatientAccess granted, long id) {
        return jdbc.sql("select " + PROCEDURE + " from procedure_record where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(InterventionRepository::procedure).optional();
    }

    List<Procedure> procedures(PatientAccess granted, int limit) {
        return jdbc.sql("select " + PROCEDURE + " from procedure_record where patient_id = ? and status <> 'entered-in-error'"
                        + " order by performed_start desc nulls last, id desc limit ?")
                .param(patientOf(granted)).param(limit).query(InterventionRepository::procedure).list();
    }

    long insertImmunization(PatientAccess granted, String codeSystem, String code, String label, String status, Instant at,
                            Instant now, Imported source) {
        return jdbc.sql("""
                        insert into immunization (facility_id, patient_id, code_system, code, label, status, occurred_at,
                            recorded_by, version, created_at, updated_at, source)
                            values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(granted.patient().facilityId()).param(patientOf(granted)).param(codeSystem).param(code).param(label).param(status)
                .param(ts(at)).param(granted.actor().staffId()).param(ts(now)).param(ts(now)).param(json(source)).query(Long.class).single();
    }

    Optional<Immunization> immunization(PatientAccess granted, long id) {
        return jdbc.sql("select " + IMMUNIZATION + " from immunization where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(InterventionRepository::immunization).optional();
    }

    List<Immunization> immunizations(PatientAccess granted, int limit) {
        return jdbc.sql("select " + IMMUNIZATION + " from immunization where patient_id = ? and status <> 'entered-in-error'"
                        + " order by occurred_at desc nulls last, id desc limit ?")
                .param(patientOf(granted)).param(limit).query(InterventionRepository::immunization).list();
    }

    private static Procedure procedure(ResultSet rs, int n) throws SQLException {
        return new Procedure(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("code_system"),
                rs.getString("code"), rs.getString("label"), rs.getString("status"), instant(rs.getTimestamp("performed_start")),
                instant(rs.getTimestamp("performed_end")), rs.getLong("recorded_by"), rs.getInt("version"),
                instant(rs.getTimestamp("updated_at")), Imported.fromJson(rs.getString("source")));
    }

    private static Immunization immunization(ResultSet rs, int n) throws SQLException {
        return new Immunization(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("code_system"),
                rs.getString("code"), rs.getString("label"), rs.getString("status"), instant(rs.getTimestamp("occurred_at")),
                rs.getLong("recorded_by"), rs.getInt("version"), instant(rs.getTimestamp("updated_at")),
                Imported.fromJson(rs.getString("source")));
    }
}
