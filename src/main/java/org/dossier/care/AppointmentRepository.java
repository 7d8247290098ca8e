package org.dossier.care;

import org.dossier.platform.crypto.SealedColumns;
import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.platform.Located;
import org.dossier.platform.SqlQuery;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.dossier.platform.SqlTimes.instant;
import static org.dossier.platform.SqlTimes.ts;

/**
 * Appointments: each method reads what its proof covers (one patient, or the facilities of an agenda); what a booking
 * checks of a practitioner's other appointments answers times and yes/no only.
 */
@Repository
class AppointmentRepository {

    /** The statuses of an appointment, as {@link Located} names them. */
    static final List<String> STATUSES = Arrays.stream(AppointmentStatus.values()).map(Enum::name).toList();

    private static final String COLUMNS = "id, facility_id, patient_id, practitioner_id, unit_id, start_at, end_at, status, reason,"
            + " rescheduled_from, status_reason, version, sealed_reason, sealed_status_reason";
    private static final String LIVE = "('BOOKED', 'COMPLETED', 'NO_SHOW')";

    private final JdbcClient jdbc;
    /** The reasons, sealed with the patient's key (V67, ADR 0053). */
    private final SealedColumns text;

    AppointmentRepository(JdbcClient jdbc, @Qualifier("appointmentText") SealedColumns text) {
        this.jdbc = jdbc;
        this.text = text;
    }

    /** Serialises bookings of one practitioner, so that two clerks cannot take the same slot: under the booking's proof. */
    void lockPractitioner(PatientAccess booking, long practitionerId) {
        jdbc.sql("select 1 from pg_advisory_xact_lock(hashtextextended('agenda:' || ?, 0))").param(practitionerId)
                .query(Integer.class).single();
    }

    /**
     * Whether the practitioner is booked at that time, whichever patient and facility: under the booking's proof, and
     * answering yes or no only.
     */
    boolean slotTaken(PatientAccess booking, long practitionerId, Instant start, Instant end) {
        return jdbc.sql("select exists (select 1 from appointment where practitioner_id = ? and status in " + LIVE
                        + " and start_at < ? and end_at > ?)")
                .param(practitionerId).param(ts(end)).param(ts(start)).query(Boolean.class).single();
    }

    long insert(PatientAccess access, long practitionerId, int unitId, Instant start, Instant end, String reason,
                Long rescheduledFrom, long authorId, Instant now) {
        // The row's id first: the reason is sealed to its row.
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('appointment', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        jdbc.sql("""
                        insert into appointment (id, facility_id, patient_id, practitioner_id, unit_id, start_at, end_at, status,
                            sealed_reason, rescheduled_from, version, created_at, updated_at, created_by)
                        values (?, ?, ?, ?, ?, ?, ?, 'BOOKED', ?, ?, 1, ?, ?, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(practitionerId).param(unitId).param(ts(start)).param(ts(end))
                .param(text.seal(access.patientId(), facilityId, "reason", id, reason)).param(rescheduledFrom).param(ts(now)).param(ts(now))
                .param(authorId).update();
        return id;
    }

    boolean changeStatus(PatientAccess access, long id, int expectedVersion, AppointmentStatus status, String statusReason, Instant now) {
        byte[] sealed = text.seal(access.patientId(), access.patient().facilityId(), "status_reason", id, statusReason);
        return jdbc.sql("update appointment set status = ?, status_reason = null, sealed_status_reason = ?, version = version + 1,"
                        + " updated_at = ? where id = ? and patient_id = ? and version = ?")
                .param(status.name()).param(sealed).param(ts(now)).param(id).param(access.patientId()).param(expectedVersion)
                .update() == 1;
    }

    /** Whose appointment this is, its version and status, before a read or a change of it is decided. */
    @Locates
    List<Long> locate(long id) {
        return Located.facts(jdbc, "appointment", id, STATUSES);
    }

    /** An appointment of the proof's patient. */
    Optional<Appointment> find(PatientAccess access, long id) {
        return jdbc.sql("select " + COLUMNS + " from appointment where id = ? and patient_id = ?").param(id).param(access.patientId())
                .query(this::map).optional();
    }

    /** A practitioner's appointments in the permit's facilities (an agenda). */
    List<Appointment> ofPractitioner(SearchPermit permit, long practitionerId, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + COLUMNS + " from appointment where practitioner_id = ? and start_at >= ? and start_at < ?"
                        + " and facility_id = any(?) order by start_at limit ?")
                .param(practitionerId).param(ts(from)).param(ts(to)).param(permit.facilityIds().toArray(Integer[]::new)).param(limit)
                .query(this::map).list();
    }

    /**
     * When a practitioner's live appointments start (epoch milliseconds), to tell free slots from taken ones: times
     * only, never whose appointment it is.
     */
    @Locates
    Set<Long> bookedStarts(long practitionerId, Instant from, Instant to) {
        return jdbc.sql("select start_at from appointment where practitioner_id = ? and start_at >= ? and start_at < ?"
                        + " and status in " + LIVE)
                .param(practitionerId).param(ts(from)).param(ts(to))
                .query((rs, n) -> rs.getTimestamp(1).getTime()).list().stream().collect(Collectors.toSet());
    }

    List<Appointment> ofPatient(PatientAccess access, int limit) {
        return jdbc.sql("select " + COLUMNS + " from appointment where patient_id = ? order by start_at desc limit ?")
                .param(access.patientId()).param(limit).query(this::map).list();
    }

    List<Appointment> upcomingOfPatient(PatientAccess access, Instant from, int limit) {
        return upcomingOfPatientQuery(access, from, limit).run(jdbc);
    }

    /** {@link #upcomingOfPatient}, to run now or with other queries in one round trip. */
    SqlQuery<List<Appointment>> upcomingOfPatientQuery(PatientAccess access, Instant from, int limit) {
        return SqlQuery.list("select " + COLUMNS + " from appointment where patient_id = ? and start_at >= ? and status = 'BOOKED'"
                + " order by start_at limit ?", this::map, access.patientId(), ts(from), limit);
    }

    private Appointment map(ResultSet rs, int n) throws SQLException {
        return new Appointment(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getLong("practitioner_id"),
                rs.getInt("unit_id"), instant(rs.getTimestamp("start_at")), instant(rs.getTimestamp("end_at")),
                AppointmentStatus.valueOf(rs.getString("status")), text.open(rs, "reason"), (Long) rs.getObject("rescheduled_from"),
                text.open(rs, "status_reason"), rs.getInt("version"));
    }

}
