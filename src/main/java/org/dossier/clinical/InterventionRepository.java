package org.dossier.clinical;

import org.dossier.platform.Imported;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.dossier.clinical.ClinicalRepository.instant;
import static org.dossier.clinical.ClinicalRepository.ts;

/** The procedure and immunization tables. Package-private: only their services, which check access, read them. */
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

    long insertProcedure(int facilityId, long patientId, String codeSystem, String code, String label, String status, Instant start,
                         Instant end, long authorId, Instant now, Imported source) {
        return jdbc.sql("""
                        insert into procedure_record (facility_id, patient_id, code_system, code, label, status, performed_start, performed_end,
                            recorded_by, version, created_at, updated_at, source)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(facilityId).param(patientId).param(codeSystem).param(code).param(label).param(status).param(ts(start)).param(ts(end))
                .param(authorId).param(ts(now)).param(ts(now)).param(json(source)).query(Long.class).single();
    }

    Optional<Procedure> procedure(long id) {
        return jdbc.sql("select " + PROCEDURE + " from procedure_record where id = ?").param(id)
                .query(InterventionRepository::procedure).optional();
    }

    List<Procedure> procedures(long patientId, int limit) {
        return jdbc.sql("select " + PROCEDURE + " from procedure_record where patient_id = ? and status <> 'entered-in-error'"
                        + " order by performed_start desc nulls last, id desc limit ?")
                .param(patientId).param(limit).query(InterventionRepository::procedure).list();
    }

    long insertImmunization(int facilityId, long patientId, String codeSystem, String code, String label, String status, Instant at,
                            long authorId, Instant now, Imported source) {
        return jdbc.sql("""
                        insert into immunization (facility_id, patient_id, code_system, code, label, status, occurred_at,
                            recorded_by, version, created_at, updated_at, source)
                            values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(facilityId).param(patientId).param(codeSystem).param(code).param(label).param(status).param(ts(at))
                .param(authorId).param(ts(now)).param(ts(now)).param(json(source)).query(Long.class).single();
    }

    Optional<Immunization> immunization(long id) {
        return jdbc.sql("select " + IMMUNIZATION + " from immunization where id = ?").param(id)
                .query(InterventionRepository::immunization).optional();
    }

    List<Immunization> immunizations(long patientId, int limit) {
        return jdbc.sql("select " + IMMUNIZATION + " from immunization where patient_id = ? and status <> 'entered-in-error'"
                        + " order by occurred_at desc nulls last, id desc limit ?")
                .param(patientId).param(limit).query(InterventionRepository::immunization).list();
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

    private static String json(Imported source) {
        return source == null ? null : source.toJson();
    }
}
