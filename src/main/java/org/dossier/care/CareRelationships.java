package org.dossier.care;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * Answers "which relationship, if any, links staff member U to patient P at time T?" with one call of
 * the database function {@code care_relationship}, whose every branch is an index lookup on the patient:
 * every chart read calls it. The branches, in order of strength: attending of a current stay, current
 * stay in one of U's units, care team, appointment around T, referral to U or U's unit, recent discharge.
 */
@Service
public class CareRelationships {

    /** An appointment explains access from this long before it (preparing the visit)… */
    public static final Duration APPOINTMENT_BEFORE = Duration.ofDays(14);
    /** …until this long after it (letters, results). */
    public static final Duration APPOINTMENT_AFTER = Duration.ofDays(30);
    /** Staff who cared for a patient during a stay keep access this long after discharge (letters, results, readmission). */
    public static final Duration AFTER_DISCHARGE = Duration.ofDays(30);

    /** The six branches live in the function care_relationship (migration V9), planned once per session. */
    private static final String LOOKUP = "select reason, source_type, source_id from care_relationship(:staff, :units, :patient, :at,"
            + " :appointmentFrom, :appointmentTo, :dischargedSince)";

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
