package org.dossier.prescribing;

import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.platform.Imported;
import org.dossier.platform.Located;
import org.dossier.platform.SqlQuery;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Medication orders: each method reads or writes what its proof covers, one patient. What the order says the patient takes
 * (drug, codes, dose, route, frequency, override reason, imported source) is written sealed with the patient's own key as
 * one document ({@link OrderRows}), the status reason on its own; rows written in clear before V65 still read.
 */
@Repository
class MedicationOrderRepository {

    /** The statuses of an order, as {@link Located} names them. */
    static final List<String> STATUSES = Arrays.stream(MedicationOrder.Status.values()).map(Enum::name).toList();

    private static final String COLUMNS = "id, facility_id, patient_id, stay_id, drug, atc_code, cip13, dose, route, frequency,"
            + " duration_days, start_date, end_date, status, prescriber_id, renewed_from, allergy_override_reason, status_reason,"
            + " version, created_at, authored_at, source::text as source, sealed_order, sealed_status_reason";

    private final JdbcClient jdbc;
    private final FieldCipher cipher;
    private final JsonMapper json;

    MedicationOrderRepository(JdbcClient jdbc, FieldCipher cipher, JsonMapper json) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.json = json;
    }

    /** Writes an order for the proof's patient, in the patient's facility (whatever the draft says of them), sealed. */
    long insert(PatientAccess access, MedicationOrder o, Instant now) {
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('medication_order', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        byte[] sealed = OrderRows.seal(cipher, json, id, facilityId, access.patientId(), o);
        jdbc.sql("""
                        insert into medication_order (id, facility_id, patient_id, stay_id, sealed_order, duration_days, start_date,
                            end_date, status, prescriber_id, renewed_from, version, created_at, updated_at, authored_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(o.stayId()).param(sealed).param(o.durationDays())
                .param(Date.valueOf(o.startDate())).param(o.endDate() == null ? null : Date.valueOf(o.endDate())).param(o.status().name())
                .param(o.prescriberId()).param(o.renewedFrom()).param(Timestamp.from(now)).param(Timestamp.from(now))
                .param(Timestamp.from(o.authoredAt() == null ? now : o.authoredAt()))
                .update();
        return id;
    }

    boolean changeStatus(PatientAccess access, long id, int expectedVersion, MedicationOrder.Status status, String reason, LocalDate endDate, Instant now) {
        byte[] sealedReason = cipher.seal(OrderRows.statusReasonCell(id, access.patient().facilityId(), access.patientId()), reason);
        return jdbc.sql("""
                        update medication_order set status = ?, status_reason = null, sealed_status_reason = ?,
                            end_date = coalesce(?, end_date), version = version + 1, updated_at = ?
                         where id = ? and patient_id = ? and version = ? and status = 'ACTIVE'""")
                .param(status.name()).param(sealedReason).param(endDate == null ? null : Date.valueOf(endDate)).param(Timestamp.from(now))
                .param(id).param(access.patientId()).param(expectedVersion).update() == 1;
    }

    /** Whose order this is, its version and status, before a read or a change of it is decided. */
    @Locates
    List<Long> locate(long id) {
        return Located.facts(jdbc, "medication_order", id, STATUSES);
    }

    /** An order of the proof's patient. */
    Optional<MedicationOrder> find(PatientAccess access, long id) {
        return jdbc.sql("select " + COLUMNS + " from medication_order where id = ? and patient_id = ?").param(id).param(access.patientId())
                .query(this::map).optional();
    }

    List<MedicationOrder> ofPatient(PatientAccess access, boolean activeOnly, int limit) {
        return ofPatientQuery(access, activeOnly, limit).run(jdbc);
    }

    /** {@link #ofPatient}, to run now or with other queries in one round trip. */
    SqlQuery<List<MedicationOrder>> ofPatientQuery(PatientAccess access, boolean activeOnly, int limit) {
        return SqlQuery.list("select " + COLUMNS + " from medication_order where patient_id = ?" + (activeOnly ? " and status = 'ACTIVE'" : "")
                + " order by start_date desc, id desc limit ?", this::map, access.patientId(), limit);
    }

    private MedicationOrder map(ResultSet rs, int n) throws SQLException {
        long id = rs.getLong("id");
        int facilityId = rs.getInt("facility_id");
        long patientId = rs.getLong("patient_id");
        OrderRows.Text text = OrderRows.open(cipher, json, rs, id, facilityId, patientId);
        String statusReason = statusReason(rs, id, facilityId, patientId);
        Date end = rs.getDate("end_date");
        Timestamp authored = rs.getTimestamp("authored_at");
        return new MedicationOrder(id, facilityId, patientId, (Long) rs.getObject("stay_id"),
                text.drug(), text.atcCode(), text.cip13(), text.dose(), text.route(),
                text.frequency(), (Integer) rs.getObject("duration_days"), rs.getDate("start_date").toLocalDate(),
                end == null ? null : end.toLocalDate(), MedicationOrder.Status.valueOf(rs.getString("status")), rs.getLong("prescriber_id"),
                (Long) rs.getObject("renewed_from"), text.allergyOverrideReason(), statusReason,
                rs.getInt("version"), rs.getTimestamp("created_at").toInstant(),
                authored == null ? rs.getTimestamp("created_at").toInstant() : authored.toInstant(), Imported.fromJson(text.source()));
    }

    private String statusReason(ResultSet rs, long id, int facilityId, long patientId) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_status_reason");
        if (sealed == null) {
            return rs.getString("status_reason");
        }
        try {
            return cipher.open(OrderRows.statusReasonCell(id, facilityId, patientId), sealed);
        } catch (ErasedValueException erased) {
            return OrderRows.ERASED;
        }
    }
}
