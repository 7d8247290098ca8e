package org.dossier.clinical;

import org.dossier.access.PatientAccess;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
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
 * rows written before V66 are read in clear until the data-key rotation job seals them ({@link ReceivedRecordSealedValues}).
 */
@Repository
class ReceivedRecordRepository {

    static final String TABLE = "received_record";
    /** The sealed columns, by the name of the column they replace. */
    static final String RESOURCE = "resource", LABEL = "label", CODE = "code";
    /** What a shredded patient's record shows (ADR 0047): its type and dates, never a 500. */
    static final String ERASED = "(erased)";

    private static final String COLUMNS = "id, facility_id, patient_id, resource_type, status, category, code_system, code, label,"
            + " occurred_at, recorded_by, version, updated_at, resource::text as resource, sealed_resource, sealed_label, sealed_code";

    private final JdbcClient jdbc;
    private final FieldCipher cipher;

    ReceivedRecordRepository(JdbcClient jdbc, FieldCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    /** The cell of one sealed value of a received record: the patient's key, bound to the row and column. */
    static FieldCipher.Cell cell(long patientId, int facilityId, String column, long id) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, TABLE, column, id);
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
                .param(cipher.seal(cell(patientId, facilityId, RESOURCE, id), in.resource()))
                .param(cipher.seal(cell(patientId, facilityId, LABEL, id), in.label()))
                .param(cipher.seal(cell(patientId, facilityId, CODE, id), in.code())).update();
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
        long id = rs.getLong("id");
        int facilityId = rs.getInt("facility_id");
        long patientId = rs.getLong("patient_id");
        String type = rs.getString("resource_type");
        String resource, label, code;
        try {
            resource = opened(rs, patientId, facilityId, RESOURCE, id);
            label = opened(rs, patientId, facilityId, LABEL, id);
            code = opened(rs, patientId, facilityId, CODE, id);
        } catch (ErasedValueException erased) {
            // The record stays, its type and dates readable; what the other system said of the patient is gone.
            resource = "{\"resourceType\":\"" + type + "\"}";
            label = ERASED;
            code = null;
        }
        return new ReceivedRecord(id, facilityId, patientId, type, rs.getString("status"), rs.getString("category"),
                rs.getString("code_system"), code, label, instant(rs.getTimestamp("occurred_at")), rs.getLong("recorded_by"),
                rs.getInt("version"), instant(rs.getTimestamp("updated_at")), resource);
    }

    /** A sealed column's value; a row written before V66 answers in clear. */
    private String opened(ResultSet rs, long patientId, int facilityId, String column, long id) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_" + column);
        return sealed == null ? rs.getString(column) : cipher.open(cell(patientId, facilityId, column, id), sealed);
    }
}
