package org.dossier.care;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.List;

import static org.dossier.platform.SqlTimes.ts;

/**
 * Practitioners' opening hours. No patient row is read or written here (the table names no patient), which is why its
 * methods take no proof; the appointments booked in these hours are {@link AppointmentRepository}'s.
 */
@Repository
class ScheduleRepository {

    private final JdbcClient jdbc;

    ScheduleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Schedule> schedules(long practitionerId) {
        return jdbc.sql("""
                        select id, facility_id, practitioner_id, unit_id, weekday, start_time, end_time, slot_minutes, valid_from, valid_to
                          from practitioner_schedule where practitioner_id = ? order by weekday, start_time""")
                .param(practitionerId).query(ScheduleRepository::schedule).list();
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

    private static Schedule schedule(ResultSet rs, int n) throws SQLException {
        Date validTo = rs.getDate("valid_to");
        return new Schedule(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("practitioner_id"), rs.getInt("unit_id"),
                DayOfWeek.of(rs.getInt("weekday")), rs.getTime("start_time").toLocalTime(), rs.getTime("end_time").toLocalTime(),
                rs.getInt("slot_minutes"), rs.getDate("valid_from").toLocalDate(), validTo == null ? null : validTo.toLocalDate());
    }
}
