package org.dossier.care;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * Answers "which relationship, if any, links staff member U to patient P at time T?" with one SQL
 * statement whose every branch is an index lookup on the patient: every chart read calls it.
 */
@Service
public class CareRelationships {

    /** An appointment explains access from this long before it (preparing the visit)… */
    public static final Duration APPOINTMENT_BEFORE = Duration.ofDays(14);
    /** …until this long after it (letters, results). */
    public static final Duration APPOINTMENT_AFTER = Duration.ofDays(30);
    /** Staff who cared for a patient during a stay keep access this long after discharge (letters, results, readmission). */
    public static final Duration AFTER_DISCHARGE = Duration.ofDays(30);

    private static final String LOOKUP = """
            select reason, source_type, source_id from (
              (select 1 as rank, 'ATTENDING' as reason, 'stay' as source_type, s.id as source_id
                 from stay s where s.patient_id = :patient and s.attending_id = :staff and s.status = 'ACTIVE'
                  and s.admitted_at <= :at limit 1)
              union all
              (select 2, 'CURRENT_STAY_IN_UNIT', 'stay', m.stay_id
                 from stay_movement m join stay s on s.id = m.stay_id and s.status = 'ACTIVE'
                where m.patient_id = :patient and m.unit_id = any(:units) and m.from_at <= :at and (m.to_at is null or m.to_at > :at)
                limit 1)
              union all
              (select 3, 'CARE_TEAM', 'care_team_member', c.id
                 from care_team_member c where c.patient_id = :patient and c.staff_id = :staff and c.status = 'ACTIVE'
                  and c.period_start <= :at and (c.period_end is null or c.period_end > :at) limit 1)
              union all
              (select 4, 'APPOINTMENT', 'appointment', a.id
                 from appointment a where a.patient_id = :patient and a.practitioner_id = :staff
                  and a.status in ('BOOKED', 'COMPLETED') and a.start_at between :appointmentFrom and :appointmentTo limit 1)
              union all
              (select 5, 'REFERRAL', 'referral', r.id
                 from referral r where r.patient_id = :patient and r.status = 'ACTIVE'
                  and (r.to_staff_id = :staff or r.to_unit_id = any(:units)) and r.period_start <= :at and r.period_end > :at limit 1)
              union all
              (select 6, 'RECENT_DISCHARGE', 'stay', s.id
                 from stay s where s.patient_id = :patient and s.status = 'DISCHARGED'
                  and s.discharged_at between :dischargedSince and :at
                  and (s.attending_id = :staff or exists (select 1 from stay_movement m where m.stay_id = s.id and m.unit_id = any(:units)))
                limit 1)
            ) found order by rank limit 1""";

    private final JdbcClient jdbc;

    CareRelationships(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The strongest relationship between the staff member (with their units) and the patient at {@code at}, if any. */
    public Optional<CareRelationship> between(long staffId, Collection<Integer> unitIds, long patientId, Instant at) {
        return jdbc.sql(LOOKUP)
                .param("patient", patientId)
                .param("staff", staffId)
                .param("units", unitIds.toArray(Integer[]::new))
                .param("at", Timestamp.from(at))
                .param("appointmentFrom", Timestamp.from(at.minus(APPOINTMENT_AFTER)))
                .param("appointmentTo", Timestamp.from(at.plus(APPOINTMENT_BEFORE)))
                .param("dischargedSince", Timestamp.from(at.minus(AFTER_DISCHARGE)))
                .query((rs, n) -> new CareRelationship(RelationshipReason.valueOf(rs.getString("reason")),
                        rs.getString("source_type"), rs.getLong("source_id")))
                .optional();
    }
}
