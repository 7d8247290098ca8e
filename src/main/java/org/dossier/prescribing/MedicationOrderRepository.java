package org.dossier.prescribing;

import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.platform.Imported;
import org.dossier.platform.Located;
import org.dossier.platform.SqlQuery;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Medication orders: each method reads or writes what its proof covers, one patient. */
@Repository
class MedicationOrderRepository {

    /** The statuses of an order, as {@link Located} names them. */
    static final List<String> STATUSES = Arrays.stream(MedicationOrder.Status.values()).map(Enum::name).toList();

    private static final String COLUMNS = "id, facility_id, patient_id, stay_id, drug, atc_code, cip13, dose, route, frequency,"
            + " duration_days, start_date, end_date, status, prescriber_id, renewed_from, allergy_override_reason, status_reason,"
            + " version, created_at, authored_at, source::text as source";

    private final JdbcClient jdbc;

    MedicationOrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Writes an order for the proof's patient, in the patient's facility (whatever the draft says of them). */
    long insert(PatientAccess access, MedicationOrder o, Instant now) {
        return jdbc.sql("""
                        insert into medication_order (facility_id, patient_id, stay_id, drug, atc_code, cip13, dose, route, frequency,
                            duration_days, start_date, end_date, status, prescriber_id, renewed_from, allergy_override_reason,
                            version, created_at, updated_at, authored_at, source)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, cast(? as json)) returning id""")
                .param(access.patient().facilityId()).param(access.patientId()).param(o.stayId()).param(o.drug()).param(o.atcCode()).param(o.cip13())
                .param(o.dose()).param(o.route()).param(o.frequency()).param(o.durationDays()).param(Date.valueOf(o.startDate()))
                .param(o.endDate() == null ? null : Date.valueOf(o.endDate())).param(o.status().name()).param(o.prescriberId())
                .param(o.renewedFrom()).param(o.allergyOverrideReason()).param(Timestamp.from(now)).param(Timestamp.from(now))
                .param(Timestamp.from(o.authoredAt() == null ? now : o.authoredAt())).param(o.source() == null ? null : o.source().toJson())
                .query(Long.class).single();
    }

    boolean changeStatus(PatientAccess access, long id, int expectedVersion, MedicationOrder.Status status, String reason, LocalDate endDate, Instant now) {
        return jdbc.sql("""
                        update medication_order set status = ?, status_reason = ?, end_date = coalesce(?, end_date),
                            version = version + 1, updated_at = ? where id = ? and patient_id = ? and version = ? and status = 'ACTIVE'""")
                .param(status.name()).param(reason).param(endDate == null ? null : Date.valueOf(endDate)).param(Timestamp.from(now))
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
                .query(MedicationOrderRepository::map).optional();
    }

    List<MedicationOrder> ofPatient(PatientAccess access, boolean activeOnly, int limit) {
        return ofPatientQuery(access, activeOnly, limit).run(jdbc);
    }

    /** {@link #ofPatient}, to run now or with other queries in one round trip. */
    SqlQuery<List<MedicationOrder>> ofPatientQuery(PatientAccess access, boolean activeOnly, int limit) {
        return SqlQuery.list("select " + COLUMNS + " from medication_order where patient_id = ?" + (activeOnly ? " and status = 'ACTIVE'" : "")
                + " order by start_date desc, id desc limit ?", MedicationOrderRepository::map, access.patientId(), limit);
    }

    private static MedicationOrder map(ResultSet rs, int n) throws SQLException {
        Date end = rs.getDate("end_date");
        Timestamp authored = rs.getTimestamp("authored_at");
        return new MedicationOrder(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), (Long) rs.getObject("stay_id"),
                rs.getString("drug"), rs.getString("atc_code"), rs.getString("cip13"), rs.getString("dose"), rs.getString("route"),
                rs.getString("frequency"), (Integer) rs.getObject("duration_days"), rs.getDate("start_date").toLocalDate(),
                end == null ? null : end.toLocalDate(), MedicationOrder.Status.valueOf(rs.getString("status")), rs.getLong("prescriber_id"),
                (Long) rs.getObject("renewed_from"), rs.getString("allergy_override_reason"), rs.getString("status_reason"),
                rs.getInt("version"), rs.getTimestamp("created_at").toInstant(),
                authored == null ? rs.getTimestamp("created_at").toInstant() : authored.toInstant(), Imported.fromJson(rs.getString("source")));
    }
}
