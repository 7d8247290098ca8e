package org.dossier.care;

import org.dossier.audit.AuditReason;
import org.dossier.access.CareLinks;
import org.dossier.access.Locates;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Answers "which relationship, if any, links staff member U to patient P at time T?" with one call of
 * the database function {@code care_relationship}, whose every branch is an index lookup on the patient:
 * every chart read calls it. The branches, in order of strength: attending of a current stay, current
 * stay in one of U's units, care team, appointment around T, referral to U or U's unit, recent discharge.
 * Appointments and discharges explain an access within the <em>work of the day</em> only: from the start of
 * yesterday to the end of tomorrow in the hospital's time zone (ADR 0018), not a month back and forward.
 */
@Service
public class CareRelationships {

    /** Days of work around today: an appointment explains access from the day before it to the day after it. */
    public static final int WORK_DAYS_BEHIND = 1, WORK_DAYS_AHEAD = 1;

    /** The six branches live in the function care_relationship (migration V9), planned once per session. */
    private static final String LOOKUP = "select reason, source_type, source_id from care_relationship(:staff, :units, :patient, :at,"
            + " :appointmentFrom, :appointmentTo, :dischargedSince)";

    /** The patients a worker's work explains, each with its reason (desk_work: migration V20). */
    private static final String EXPLAIN = """
            select p.id, coalesce(
                       case when :clinical then (select r.reason from care_relationship(:staff, :units, p.id, :at, :from, :to, :from) r
                                                  limit 1) end,
                       case when :desk or :billing then desk_work(:units, :facilities, :billing, p.id, :from, :to) end) as reason
              from unnest(cast(:ids as bigint[])) as p (id)""";

    private final JdbcClient jdbc;
    private final ZoneId zone;

    CareRelationships(JdbcClient jdbc, @Value("${dossier.time-zone:Europe/Paris}") String zone) {
        this.jdbc = jdbc;
        this.zone = ZoneId.of(zone);
    }

    /** The work of the day around {@code at}: from the start of yesterday to the start of the day after tomorrow. */
    public Window workWindow(Instant at) {
        LocalDate today = at.atZone(zone).toLocalDate();
        return new Window(today.minusDays(WORK_DAYS_BEHIND).atStartOfDay(zone).toInstant(),
                today.plusDays(WORK_DAYS_AHEAD + 1L).atStartOfDay(zone).toInstant());
    }

    /** A half-open period of time. */
    public record Window(Instant from, Instant to) {
        public boolean contains(Instant t) {
            return !t.isBefore(from) && t.isBefore(to);
        }
    }

    /** For each of the patients the worker's work explains at {@code at}, the reason code; the others are absent. */
    @Locates
    Map<Long, AuditReason> explain(CareLinks.Worker worker, Collection<Long> patientIds, Instant at) {
        Map<Long, AuditReason> reasons = new HashMap<>();
        if (patientIds.isEmpty() || !(worker.clinical() || worker.desk() || worker.billing())) {
            return reasons;
        }
        Window work = workWindow(at);
        jdbc.sql(EXPLAIN)
                .param("clinical", worker.clinical()).param("desk", worker.desk()).param("billing", worker.billing())
                .param("staff", worker.staffId()).param("units", worker.unitIds().toArray(Integer[]::new))
                .param("facilities", worker.facilityIds().toArray(Integer[]::new))
                .param("at", Timestamp.from(at)).param("from", Timestamp.from(work.from())).param("to", Timestamp.from(work.to()))
                .param("ids", patientIds.stream().distinct().toArray(Long[]::new))
                .query((rs, n) -> {
                    String reason = rs.getString("reason");
                    if (reason != null) {
                        reasons.put(rs.getLong("id"), AuditReason.of(reason));
                    }
                    return null;
                }).list();
        return reasons;
    }

    /**
     * The strongest relationship between the staff member (with their units) and the patient at {@code at}, if any: what
     * explains an access, read before (and for) the decision, and nothing the record says.
     */
    @Locates
    public Optional<CareRelationship> between(long staffId, Collection<Integer> unitIds, long patientId, Instant at) {
        Window work = workWindow(at);
        return jdbc.sql(LOOKUP)
                .param("patient", patientId)
                .param("staff", staffId)
                .param("units", unitIds.toArray(Integer[]::new))
                .param("at", Timestamp.from(at))
                .param("appointmentFrom", Timestamp.from(work.from()))
                .param("appointmentTo", Timestamp.from(work.to()))
                .param("dischargedSince", Timestamp.from(work.from()))
                .query((rs, n) -> new CareRelationship(RelationshipReason.valueOf(rs.getString("reason")),
                        rs.getString("source_type"), rs.getLong("source_id")))
                .optional();
    }
}
