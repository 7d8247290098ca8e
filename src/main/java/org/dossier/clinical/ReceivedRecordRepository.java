package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.dossier.clinical.Rows.instant;
import static org.dossier.clinical.Rows.patientOf;
import static org.dossier.clinical.Rows.ts;

/** The received_record table. Package-private: only its service reaches it, each statement confined to the patient of the gateway's proof. */
@Repository
class ReceivedRecordRepository {

    private static final String COLUMNS = "id, facility_id, patient_id, resource_type, status, category, code_system, code, label,"
            + " occurred_at, recorded_by, version, updated_at, resource::text as resource";

    private final JdbcClient jdbc;

    ReceivedRecordRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(PatientAccess granted, ReceivedRecordService.ReceivedInput in, Instant now) {
        return jdbc.sql("""
                        insert into received_record (facility_id, patient_id, resource_type, status, category, code_system, code, label,
                            occurred_at, recorded_by, version, created_at, updated_at, resource)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, cast(? as json)) returning id""")
                .param(granted.patient().facilityId()).param(patientOf(granted)).param(in.resourceType()).param(in.status())
                .param(in.category()).param(in.codeSystem()).param(in.code()).param(in.label()).param(ts(in.occurredAt()))
                .param(granted.actor().staffId()).param(ts(now)).param(ts(now)).param(in.resource()).query(Long.class).single();
    }

    Optional<ReceivedRecord> find(PatientAccess granted, long id) {
        return jdbc.sql("select " + COLUMNS + " from received_record where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(ReceivedRecordRepository::row).optional();
    }

    /** One patient's records of the given types, newest first. */
    List<ReceivedRecord> ofPatient(PatientAccess granted, List<String> types, int limit) {
        return jdbc.sql("select " + COLUMNS + " from received_record where patient_id = ? and resource_type = any (?)"
                        + " order by occurred_at desc nulls last, id desc limit ?")
                .param(patientOf(granted)).param(types.toArray(String[]::new)).param(limit).query(ReceivedRecordRepository::row).list();
    }

    int count(PatientAccess granted) {
        return jdbc.sql("select count(*) from received_record where patient_id = ?").param(patientOf(granted)).query(Integer.class).single();
    }

    private static ReceivedRecord row(ResultSet rs, int n) throws SQLException {
        return new ReceivedRecord(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("resource_type"),
                rs.getString("status"), rs.getString("category"), rs.getString("code_system"), rs.getString("code"), rs.getString("label"),
                instant(rs.getTimestamp("occurred_at")), rs.getLong("recorded_by"), rs.getInt("version"),
                instant(rs.getTimestamp("updated_at")), rs.getString("resource"));
    }
}
