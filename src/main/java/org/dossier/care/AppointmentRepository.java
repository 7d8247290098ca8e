package org.dossier.care;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.dossier.care.StayRepository.instant;
import static org.dossier.care.StayRepository.ts;

@Repository
class AppointmentRepository {

    private static final String COLUMNS = "id, facility_id, patient_id, practitioner_id, unit_id, start_at, end_at, status, reason,"
            + " rescheduled_from, status_reason, version";
    private static final String LIVE = "('BOOKED', 'COMPLETED', 'NO_SHOW')";

    private final JdbcClient jdbc;

    AppointmentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Serialises bookings of one practitioner, so that two clerks cannot take the same slot. */
    void lockPractitioner(long practitionerId) {
        jdbc.sql("select 1 from pg_advisory_xact_lock(hashtextextended('agenda:' || ?, 0))").param(practitionerId)
                .query(Integer.class).single();
    }

    boolean slotTaken(long practitionerId, Instant start, Instant end) {
        return jdbc.sql("select exists (select 1 from appointment where practitioner_id = ? and status in " + LIVE
                        + " and start_at < ? and end_at > ?)")
                .param(practitionerId).param(ts(end)).param(ts(start)).query(Boolean.class).single();
    }

    long insert(int facilityId, long patientId, long practitionerId, int unitId, Instant start, Instant end, String reason,
                Long rescheduledFrom, long authorId, Instant now) {
        return jdbc.sql("""
                        insert into appointment (facility_id, patient_id, practitioner_id, unit_id, start_at, end_at, status, reason,
                            rescheduled_from, version, created_at, updated_at, created_by)
                        values (?, ?, ?, ?, ?, ?, 'BOOKED', ?, ?, 1, ?, ?, ?) returning id""")
                .param(facilityId).param(patientId).param(practitionerId).param(unitId).param(ts(start)).param(ts(end))
                .param(reason).param(rescheduledFrom).param(ts(now)).param(ts(now)).param(authorId)
                .query(Long.class).single();
    }

    boolean changeStatus(long id, int expectedVersion, AppointmentStatus status, String statusReason, Instant now) {
        return jdbc.sql("update appointment set status = ?, status_reason = ?, version = version + 1, updated_at = ? where id = ? and version = ?")
                .param(status.name()).param(statusReason).param(ts(now)).param(id).param(expectedVersion).update() == 1;
    }

    Optional<Appointment> find(long id) {
        return jdbc.sql("select " + COLUMNS + " from appointment where id = ?").param(id).query(AppointmentRepository::map).optional();
    }

    List<Appointment> ofPractitioner(long practitionerId, Instant from, Instant to, int limit) {
        return jdbc.sql("select " + COLUMNS + " from appointment where practitioner_id = ? and start_at >= ? and start_at < ?"
                        + " order by start_at limit ?")
                .param(practitionerId).param(ts(from)).param(ts(to)).param(limit).query(AppointmentRepository::map).list();
    }

    List<Appointment> ofPatient(long patientId, int limit) {
        return jdbc.sql("select " + COLUMNS + " from appointment where patient_id = ? order by start_at desc limit ?")
                .param(patientId).param(limit).query(AppointmentRepository::map).list();
    }

    List<Appointment> upcomingOfPatient(long patientId, Instant from, int limit) {
        return jdbc.sql("select " + COLUMNS + " from appointment where patient_id = ? and start_at >= ? and status = 'BOOKED'"
                        + " order by start_at limit ?")
                .param(patientId).param(ts(from)).param(limit).query(AppointmentRepository::map).list();
    }

    List<Schedule> schedules(long practitionerId) {
        return jdbc.sql("""
                        select id, facility_id, practitioner_id, unit_id, weekday, start_time, end_time, slot_minutes, valid_from, valid_to
                          from practitioner_schedule where practitioner_id = ? order by weekday, start_time""")
                .param(practitionerId).query(AppointmentRepository::schedule).list();
    }

    long insertSchedule(Schedule s, long authorId, Instant now) {
        return jdbc.sql("""
                        insert into practitioner_schedule (facility_id, practitioner_id, unit_id, weekday, start_time, end_time,
                            slot_minutes, valid_from, valid_to, created_at, created_by)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
                .param(s.facilityId()).param(s.practitionerId()).param(s.unitId()).param(s.weekday().getValue())
                .param(Time.valueOf(s.startTime())).param(Time.valueOf(s.endTime())).param(s.slotMinutes())
                .param(Date.valueOf(s.validFrom())).param(s.validTo() == null ? null : Date.valueOf(s.validTo()))
                .param(ts(now)).param(authorId).query(Long.class).single();
    }

    private static Appointment map(ResultSet rs, int n) throws SQLException {
        return new Appointment(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getLong("practitioner_id"),
                rs.getInt("unit_id"), instant(rs.getTimestamp("start_at")), instant(rs.getTimestamp("end_at")),
                AppointmentStatus.valueOf(rs.getString("status")), rs.getString("reason"), (Long) rs.getObject("rescheduled_from"),
                rs.getString("status_reason"), rs.getInt("version"));
    }

    private static Schedule schedule(ResultSet rs, int n) throws SQLException {
        Date validTo = rs.getDate("valid_to");
        return new Schedule(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("practitioner_id"), rs.getInt("unit_id"),
                DayOfWeek.of(rs.getInt("weekday")), rs.getTime("start_time").toLocalTime(), rs.getTime("end_time").toLocalTime(),
                rs.getInt("slot_minutes"), rs.getDate("valid_from").toLocalDate(), validTo == null ? null : validTo.toLocalDate());
    }

    static boolean validOn(Schedule s, LocalDate day) {
        return s.weekday() == day.getDayOfWeek() && !day.isBefore(s.validFrom()) && (s.validTo() == null || !day.isAfter(s.validTo()));
    }
}
