package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
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

/**
 * The received_record table. Package-private: only its service reaches it, each statement confined to the patient of the
 * gateway's proof. The resource as sent, its label and its code are sealed with the patient's own key (V66, ADR 0053);
 * rows written before V66 are read in clear until the data-key rotation job seals them ({@link ReceivedRecordSealing}).
 */
@Repository
class ReceivedRecordRepository {

    /** The sealed columns, by the name of the column they replace. */
    private static final String RESOURCE = "resource", LABEL = "label", CODE = "code";

    private static final String COLUMNS = "id, facility_id, patient_id, resource_type, status, category, code_system, code, label,"
            + " occurred_at, recorded_by, version, updated_at, resource::text as resource, sealed_resource, sealed_label, sealed_code";

    private final JdbcClient jdbc;
    private final SealedColumns text;

    ReceivedRecordRepository(JdbcClient jdbc, @Qualifier("receivedRecordText") SealedColumns text) {
        this.jdbc = jdbc;
        this.text = text;
    }

    /** Takes the row's id first, so that each value is sealed to its row (a shredded patient's write: 409, nothing written). */
    long insert(PatientAccess granted, ReceivedRecordService.ReceivedInput in, Instant now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('received_record', 'id'))").query(Long.class).single();
        int facilityId = granted.patient().facilityId();
        long patientId = patientOf(granted);
        jdbc.sql("""
                        insert into received_record (id, facility_id, patient_id, resource_type, status, category, code_system,
                            occurred_at, recorded_by, version, created_at, updated_at, sealed_resource, sealed_label, sealed_code)
                            values (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)""")
                .param(id).param(facilityId).param(patientId).param(in.resourceType()).param(in.status()).param(in.category())
                .param(in.codeSystem()).param(ts(in.occurredAt())).param(granted.actor().staffId()).param(ts(now)).param(ts(now))
                .param(text.seal(patientId, facilityId, RESOURCE, id, in.resource()))
                .param(text.seal(patientId, facilityId, LABEL, id, in.label()))
                .param(text.seal(patientId, facilityId, CODE, id, in.code())).update();
        return id;
    }

    Optional<ReceivedRecord> find(PatientAccess granted, long id) {
        return jdbc.sql("select " + COLUMNS + " from received_record where id = ? and patient_id = ?").param(id).param(patientOf(granted))
                .query(this::row).optional();
    }

    /** One patient's records of the given types, newest first. */
    List<ReceivedRecord> ofPatient(PatientAccess granted, List<String> types, int limit) {
        return jdbc.sql("select " + COLUMNS + " from received_record where patient_id = ? and resource_type = any (?)"
                        + " order by occurred_at desc nulls last, id desc limit ?")
                .param(patientOf(granted)).param(types.toArray(String[]::new)).param(limit).query(this::row).list();
    }

    int count(PatientAccess granted) {
        return jdbc.sql("select count(*) from received_record where patient_id = ?").param(patientOf(granted)).query(Integer.class).single();
    }

    private ReceivedRecord row(ResultSet rs, int n) throws SQLException {
        String type = rs.getString("resource_type");
        String resource = text.open(rs, RESOURCE);
        boolean erased = SealedColumns.ERASED.equals(resource);
        // A shredded patient's record stays, its type and dates readable; what the other system said of them is gone.
        return new ReceivedRecord(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), type, rs.getString("status"),
                rs.getString("category"), rs.getString("code_system"), erased ? null : text.open(rs, CODE),
                erased ? SealedColumns.ERASED : text.open(rs, LABEL), instant(rs.getTimestamp("occurred_at")), rs.getLong("recorded_by"),
                rs.getInt("version"), instant(rs.getTimestamp("updated_at")), erased ? "{\"resourceType\":\"" + type + "\"}" : resource);
    }
}
