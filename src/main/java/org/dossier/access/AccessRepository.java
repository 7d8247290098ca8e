package org.dossier.access;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Restrictions and break-the-glass grants; what staff wrote about them is sealed (V70, ADR 0055). */
@Repository
class AccessRepository {

    private final JdbcClient jdbc;
    private final FieldCipher cipher;
    private final SealedColumns restrictionText;
    private final SealedColumns grantText;

    AccessRepository(JdbcClient jdbc, FieldCipher cipher, @Qualifier("restrictionText") SealedColumns restrictionText,
                     @Qualifier("breakGlassText") SealedColumns grantText) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.restrictionText = restrictionText;
        this.grantText = grantText;
    }

    /** What the gateway needs besides the relationship, in one round trip. */
    record Flags(boolean restricted, Long restrictedFor, Long breakGlassGrant) {
    }

    Flags flags(long patientId, long staffId, Instant now) {
        return jdbc.sql("""
                        select r.id is not null as restricted, r.staff_id,
                               (select g.id from break_glass_grant g
                                 where g.staff_id = :staff and g.patient_id = :patient and g.expires_at > :now
                                 order by g.expires_at desc limit 1) as grant_id
                          from (select 1) one
                          left join patient_restriction r on r.patient_id = :patient and r.lifted_at is null""")
                .param("patient", patientId).param("staff", staffId).param("now", Timestamp.from(now))
                .query((rs, n) -> new Flags(rs.getBoolean("restricted"), (Long) rs.getObject("staff_id"), (Long) rs.getObject("grant_id")))
                .single();
    }

    /**
     * Everything a decision about one patient reads, in one statement: the patient's facts (through {@code patient_facts},
     * past the facility wall), the flags, and — for a patient of the actor's facilities, when the decision will ask —
     * the strongest care relationship ({@code care_relationship}) and the desk's work ({@code desk_work}) of the day.
     * No row when no such patient exists. ADR 0032.
     */
    record Decision(PatientFacts patient, Flags flags, String relationship, String work, AccessPolicy.Portal portal) {
    }

    /**
     * {@code portalAccount}: the asking portal account (a patient's actor), whose own patient and guardian's link to this
     * patient are read in the same statement ({@code portal_facts}, past the facility wall like {@code patient_facts};
     * ADR 0050); null for staff, and both read as nothing.
     */
    Optional<Decision> decision(long patientId, long staffId, Long portalAccount, Set<Integer> unitIds, Set<Integer> facilityIds,
                                boolean billing, Instant at, CareLinks.WorkDays day, boolean relationship, boolean work) {
        return jdbc.sql(DECISION)
                .paramSource(decisionParameters(patientId, staffId, portalAccount, unitIds, facilityIds, billing, at, day, relationship, work))
                .query((rs, n) -> new Decision(
                        PatientFacts.read(rs, cipher),
                        new Flags(rs.getBoolean("restricted"), (Long) rs.getObject("restricted_for"), (Long) rs.getObject("grant_id")),
                        rs.getString("relationship"), rs.getString("work"),
                        new AccessPolicy.Portal((Long) rs.getObject("account_patient"), rs.getBoolean("guardian_link"))))
                .optional();
    }

    /**
     * The decision's one statement. Every request that shows a patient runs it, so PostgreSQL must keep one generic plan
     * for it rather than plan it anew at each call: the functions it reads declare how few rows they return (V76), and
     * {@code DecisionPlanTest} holds the statement to a cached plan.
     */
    static final String DECISION = """
            select p.id, p.facility_id, p.status, p.merged_into, p.birth_date, p.sealed_birth_date,
                   r.id is not null as restricted, r.staff_id as restricted_for,
                   (select g.id from break_glass_grant g
                     where g.staff_id = :staff and g.patient_id = p.id and g.expires_at > :at
                     order by g.expires_at desc limit 1) as grant_id,
                   (select c.reason from care_relationship(:staff, :units, p.id, :at, :from, :to, :from) c
                     where :relationship and p.facility_id = any(:facilities) limit 1) as relationship,
                   case when :work and p.facility_id = any(:facilities)
                        then desk_work(:units, :facilities, :billing, p.id, :from, :to) end as work,
                   f.own_patient as account_patient, coalesce(f.guardian_link, false) as guardian_link
              from patient_facts(:patient) p
              left join lateral portal_facts(:account, p.id) f on :account is not null
              left join patient_restriction r on r.patient_id = p.id and r.lifted_at is null""";

    static MapSqlParameterSource decisionParameters(long patientId, long staffId, Long portalAccount, Set<Integer> unitIds,
                                                    Set<Integer> facilityIds, boolean billing, Instant at, CareLinks.WorkDays day,
                                                    boolean relationship, boolean work) {
        return new MapSqlParameterSource()
                .addValue("patient", patientId).addValue("staff", staffId).addValue("units", unitIds.toArray(Integer[]::new))
                .addValue("facilities", facilityIds.toArray(Integer[]::new)).addValue("billing", billing)
                .addValue("at", Timestamp.from(at)).addValue("from", Timestamp.from(day.from())).addValue("to", Timestamp.from(day.to()))
                .addValue("relationship", relationship).addValue("work", work).addValue("account", portalAccount, java.sql.Types.BIGINT);
    }

    Set<Long> restricted(List<Long> patientIds) {
        return new HashSet<>(jdbc.sql("select patient_id from patient_restriction where patient_id = any(:ids) and lifted_at is null")
                .param("ids", patientIds.toArray(Long[]::new)).query(Long.class).list());
    }

    Optional<Restriction> restriction(long patientId) {
        return jdbc.sql("select * from patient_restriction where patient_id = :p and lifted_at is null")
                .param("p", patientId).query(this::restrictionRow).optional();
    }

    /** The row's id is taken first: the reason is sealed to its row. */
    long insertRestriction(long patientId, int facilityId, Restriction.Kind kind, Long staffId, String reason, long by, Instant at) {
        long id = nextId("patient_restriction");
        jdbc.sql("""
                        insert into patient_restriction (id, patient_id, facility_id, kind, staff_id, sealed_reason, created_by, created_at)
                        overriding system value values (:id, :p, :f, :k, :s, :r, :by, :at)""")
                .param("id", id).param("p", patientId).param("f", facilityId).param("k", kind.name()).param("s", staffId)
                .param("r", restrictionText.seal(patientId, facilityId, "reason", id, reason))
                .param("by", by).param("at", Timestamp.from(at)).update();
        return id;
    }

    boolean liftRestriction(Restriction restriction, long by, String reason, Instant at) {
        return jdbc.sql("""
                        update patient_restriction set lifted_at = :at, lifted_by = :by, sealed_lift_reason = :r
                         where id = :id and lifted_at is null""")
                .param("id", restriction.id()).param("by", by).param("at", Timestamp.from(at))
                .param("r", restrictionText.seal(restriction.patientId(), restriction.facilityId(), "lift_reason", restriction.id(), reason))
                .update() == 1;
    }

    private Restriction restrictionRow(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Restriction(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"),
                Restriction.Kind.valueOf(rs.getString("kind")), (Long) rs.getObject("staff_id"), restrictionText.open(rs, "reason"),
                rs.getLong("created_by"), rs.getTimestamp("created_at").toInstant());
    }

    private long nextId(String table) {
        return jdbc.sql("select nextval(pg_get_serial_sequence(?, 'id'))").param(table).query(Long.class).single();
    }

    /** The row's id is taken first: the justification is sealed to its row, with the facility's key (ADR 0055). */
    long insertGrant(long staffId, long patientId, int facilityId, BreakGlassGrant.Reason reason, String justification, String sessionId,
                     Instant at, Instant expires) {
        long id = nextId("break_glass_grant");
        jdbc.sql("""
                        insert into break_glass_grant (id, staff_id, patient_id, facility_id, reason_code, sealed_justification,
                                                       session_id, granted_at, expires_at)
                        overriding system value values (:id, :s, :p, :f, :r, :j, :sid, :at, :exp)""")
                .param("id", id).param("s", staffId).param("p", patientId).param("f", facilityId).param("r", reason.name())
                .param("j", grantText.seal(patientId, facilityId, "justification", id, justification))
                .param("sid", sessionId).param("at", Timestamp.from(at)).param("exp", Timestamp.from(expires)).update();
        return id;
    }

    Optional<BreakGlassGrant> activeGrant(long staffId, long patientId, Instant now) {
        return jdbc.sql(GRANTS + " where g.staff_id = :s and g.patient_id = :p and g.expires_at > :now order by g.expires_at desc limit 1")
                .param("s", staffId).param("p", patientId).param("now", Timestamp.from(now)).query(this::grantRow).optional();
    }

    Optional<BreakGlassGrant> grant(long id) {
        return jdbc.sql(GRANTS + " where g.id = :id").param("id", id).query(this::grantRow).optional();
    }

    int grantsSince(long staffId, Instant since) {
        return jdbc.sql("select count(*) from break_glass_grant where staff_id = :s and granted_at > :since")
                .param("s", staffId).param("since", Timestamp.from(since)).query(Integer.class).single();
    }

    /** A patient's break-the-glass grants since {@code since}, newest first: what the patient is told of (ADR 0044). */
    List<BreakGlassGrant> grantsOfPatient(long patientId, Instant since, int limit) {
        return jdbc.sql(GRANTS + " where g.patient_id = :p and g.granted_at >= :since order by g.granted_at desc limit :limit")
                .param("p", patientId).param("since", Timestamp.from(since)).param("limit", limit).query(this::grantRow).list();
    }

    /** Oldest first: the review queue is worked in order. */
    List<BreakGlassGrant> grants(Set<Integer> facilities, boolean pendingOnly, int limit) {
        return jdbc.sql(GRANTS + " where g.facility_id = any(:f)" + (pendingOnly ? " and g.review_outcome is null" : "")
                        + " order by g.granted_at" + (pendingOnly ? "" : " desc") + " limit :limit")
                .param("f", facilities.toArray(Integer[]::new)).param("limit", limit).query(this::grantRow).list();
    }

    boolean review(BreakGlassGrant grant, BreakGlassGrant.Outcome outcome, String comment, long by, Instant at) {
        return jdbc.sql("""
                        update break_glass_grant set review_outcome = :o, sealed_review_comment = :c, reviewed_by = :by, reviewed_at = :at
                         where id = :id and review_outcome is null""")
                .param("o", outcome.name()).param("c", grantText.seal(grant.patientId(), grant.facilityId(), "review_comment", grant.id(), comment))
                .param("by", by).param("at", Timestamp.from(at)).param("id", grant.id())
                .update() == 1;
    }

    private static final String GRANTS = """
            select g.*, s.username from break_glass_grant g join staff s on s.id = g.staff_id""";

    private BreakGlassGrant grantRow(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        String outcome = rs.getString("review_outcome");
        Timestamp reviewedAt = rs.getTimestamp("reviewed_at");
        return new BreakGlassGrant(rs.getLong("id"), rs.getLong("staff_id"), rs.getString("username"), rs.getLong("patient_id"),
                rs.getInt("facility_id"), BreakGlassGrant.Reason.valueOf(rs.getString("reason_code")), grantText.open(rs, "justification"),
                rs.getTimestamp("granted_at").toInstant(), rs.getTimestamp("expires_at").toInstant(),
                outcome == null ? null : BreakGlassGrant.Outcome.valueOf(outcome), (Long) rs.getObject("reviewed_by"),
                reviewedAt == null ? null : reviewedAt.toInstant(), grantText.open(rs, "review_comment"), 0);
    }
}
