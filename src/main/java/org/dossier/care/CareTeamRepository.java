package org.dossier.care;

import org.dossier.platform.crypto.SealedColumns;
import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.platform.Located;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.dossier.platform.SqlTimes.instant;
import static org.dossier.platform.SqlTimes.ts;

/** Care team memberships and referrals: each method reads what its proof covers (one patient, or the facilities of a list). */
@Repository
class CareTeamRepository {

    /** The statuses a membership or a referral goes through, as {@link Located} names them. */
    static final List<String> STATUSES = List.of("ACTIVE", "ENDED", "COMPLETED", "CANCELLED");

    private static final String MEMBER = "id, facility_id, patient_id, staff_id, role, period_start, period_end, status, version,"
            + " sealed_role";
    private static final String REFERRAL = "id, facility_id, patient_id, from_staff_id, to_staff_id, to_unit_id, reason, period_start,"
            + " period_end, status, version, sealed_reason";

    private final JdbcClient jdbc;
    /** A referral's reason, sealed with the patient's key (V67, ADR 0053). */
    private final SealedColumns referralText;
    /** A member's role, sealed with the patient's key (V71). */
    private final SealedColumns memberText;

    CareTeamRepository(JdbcClient jdbc, @Qualifier("referralText") SealedColumns referralText,
                       @Qualifier("careTeamText") SealedColumns memberText) {
        this.jdbc = jdbc;
        this.referralText = referralText;
        this.memberText = memberText;
    }

    long insertMember(PatientAccess access, long staffId, String role, Instant start, Instant end, long authorId, Instant now) {
        // The row's id first: the role is sealed to its row.
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('care_team_member', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        jdbc.sql("""
                        insert into care_team_member (id, facility_id, patient_id, staff_id, sealed_role, period_start, period_end, status,
                            version, created_at, created_by) values (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', 1, ?, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(staffId)
                .param(memberText.seal(access.patientId(), facilityId, "role", id, role))
                .param(ts(start)).param(ts(end)).param(ts(now)).param(authorId).update();
        return id;
    }

    boolean endMember(PatientAccess access, long id, int expectedVersion, Instant end, String status) {
        return jdbc.sql("update care_team_member set period_end = ?, status = ?, version = version + 1 where id = ? and patient_id = ?"
                        + " and version = ?")
                .param(ts(end)).param(status).param(id).param(access.patientId()).param(expectedVersion).update() == 1;
    }

    /** Whose care team this membership is of, its version and status, before a change of it is decided. */
    @Locates
    List<Long> locateMember(long id) {
        return Located.facts(jdbc, "care_team_member", id, STATUSES);
    }

    Optional<CareTeamMember> member(PatientAccess access, long id) {
        return jdbc.sql("select " + MEMBER + " from care_team_member where id = ? and patient_id = ?").param(id).param(access.patientId())
                .query(this::member).optional();
    }

    List<CareTeamMember> team(PatientAccess access) {
        return jdbc.sql("select " + MEMBER + " from care_team_member where patient_id = ? order by period_start desc limit 200")
                .param(access.patientId()).query(this::member).list();
    }

    boolean activeMember(PatientAccess access, long staffId, Instant at) {
        return jdbc.sql("""
                        select exists (select 1 from care_team_member where patient_id = ? and staff_id = ? and status = 'ACTIVE'
                           and period_start <= ? and (period_end is null or period_end > ?))""")
                .param(access.patientId()).param(staffId).param(ts(at)).param(ts(at)).query(Boolean.class).single();
    }

    /** A patient whose care team someone is on, and the facility of that membership. */
    record Membership(long patientId, int facilityId) {
    }

    /** The patients whose care team the permit's actor is on at {@code at}, in the permit's facilities. */
    List<Membership> patientsOf(SearchPermit permit, Instant at, int limit) {
        return jdbc.sql("""
                        select patient_id, facility_id from care_team_member where staff_id = ? and status = 'ACTIVE'
                           and period_start <= ? and (period_end is null or period_end > ?) and facility_id = any(?)
                         order by period_start desc limit ?""")
                .param(permit.actor().staffId()).param(ts(at)).param(ts(at)).param(permit.facilityIds().toArray(Integer[]::new))
                .param(limit)
                .query((rs, n) -> new Membership(rs.getLong(1), rs.getInt(2))).list();
    }

    long insertReferral(PatientAccess access, long fromStaffId, Long toStaffId, Integer toUnitId, String reason,
                        Instant start, Instant end, Instant now) {
        // The row's id first: the reason is sealed to its row.
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('referral', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        jdbc.sql("""
                        insert into referral (id, facility_id, patient_id, from_staff_id, to_staff_id, to_unit_id, sealed_reason, period_start,
                            period_end, status, version, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', 1, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(fromStaffId).param(toStaffId).param(toUnitId)
                .param(referralText.seal(access.patientId(), facilityId, "reason", id, reason))
                .param(ts(start)).param(ts(end)).param(ts(now)).update();
        return id;
    }

    boolean closeReferral(PatientAccess access, long id, int expectedVersion, String status) {
        return jdbc.sql("update referral set status = ?, version = version + 1 where id = ? and patient_id = ? and version = ?")
                .param(status).param(id).param(access.patientId()).param(expectedVersion).update() == 1;
    }

    /** Whose referral this is, its version and status, before a change of it is decided. */
    @Locates
    List<Long> locateReferral(long id) {
        return Located.facts(jdbc, "referral", id, STATUSES);
    }

    Optional<Referral> referral(PatientAccess access, long id) {
        return jdbc.sql("select " + REFERRAL + " from referral where id = ? and patient_id = ?").param(id).param(access.patientId())
                .query(this::referral).optional();
    }

    List<Referral> referrals(PatientAccess access) {
        return jdbc.sql("select " + REFERRAL + " from referral where patient_id = ? order by period_start desc limit 200")
                .param(access.patientId()).query(this::referral).list();
    }

    private CareTeamMember member(ResultSet rs, int n) throws SQLException {
        return new CareTeamMember(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getLong("staff_id"),
                memberText.open(rs, "role"), instant(rs.getTimestamp("period_start")), instant(rs.getTimestamp("period_end")),
                rs.getString("status"), rs.getInt("version"));
    }

    private Referral referral(ResultSet rs, int n) throws SQLException {
        return new Referral(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getLong("from_staff_id"),
                (Long) rs.getObject("to_staff_id"), (Integer) rs.getObject("to_unit_id"), referralText.open(rs, "reason"),
                instant(rs.getTimestamp("period_start")), instant(rs.getTimestamp("period_end")), rs.getString("status"),
                rs.getInt("version"));
    }
}
