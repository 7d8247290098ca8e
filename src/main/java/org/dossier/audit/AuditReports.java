package org.dossier.audit;

import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.InvalidInputException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * What the trail tells the security officer: what one account was shown (the exposure report, for a GDPR
 * article 33/34 notification) and who opened one patient's record (the patient's access report).
 */
@Service
public class AuditReports {

    static final Duration MAX_WINDOW = Duration.ofDays(31);

    private static final java.util.regex.Pattern PATIENT_PATH = java.util.regex.Pattern.compile("(?:/patients/|Patient/|CareTeam/|Coverage/)(\\d{1,18})");

    /** Patients named by their path in an entry's free text (a refused request's path, a refusal's advice). */
    static List<Long> patientsNamedIn(String... texts) {
        List<Long> ids = new java.util.ArrayList<>();
        for (String text : texts) {
            java.util.regex.Matcher m = PATIENT_PATH.matcher(text == null ? "" : text);
            while (m.find()) {
                ids.add(Long.parseLong(m.group(1)));
            }
        }
        return ids;
    }

    /** The reason code of an oversight view's entries: the security officer shown patient ids in the trail. */

    private final JdbcClient jdbc;
    private final AuditTrail trail;
    private final java.time.Clock clock;

    AuditReports(JdbcClient jdbc, AuditTrail trail, java.time.Clock clock) {
        this.jdbc = jdbc;
        this.trail = trail;
        this.clock = clock;
    }

    /**
     * Records that the security officer was shown these patients (by id, with who accessed them) in an oversight view:
     * one entry per patient, like every answer that names a patient, appended before the view leaves. Not charged to the
     * guard: the officer must be able to read a frozen account's whole exposure, canaries included, and is shown ids and
     * the trail's own fields, never a record (ADR 0018).
     */
    public void oversaw(Actor actor, AuditResource resourceType, java.util.Collection<Long> patientIds) {
        List<Long> distinct = patientIds.stream().filter(java.util.Objects::nonNull).distinct().toList();
        if (distinct.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        trail.append(distinct.stream().map(p -> AuditRecord.at(now).actor(actor)
                .action(AuditAction.OVERSEE).patient(p).resource(resourceType, null)
                .decision(AuditRecord.Decision.ALLOW, AuditReason.OVERSIGHT).purpose(AuditPurpose.HSYSADMIN)
                .request(org.slf4j.MDC.get("requestId")).build()).toList());
    }

    /** One patient an account was shown: which sections, when first and last, how many times. */
    public record ExposedPatient(long patientId, List<String> sections, Instant firstAccess, Instant lastAccess, long accesses) {
    }

    /** Everything an account was shown in a window, and how many of its attempts were refused. */
    public record Exposure(long staffId, Instant from, Instant to, int patients, long refusedAttempts, List<ExposedPatient> exposed) {
    }

    /** One access to a patient's record: who (with their roles), when, what, the decision and why. */
    public record PatientAccess(Instant at, Long actorId, String actorUsername, String actorRoles, String action, String sections,
                                String decision, String reasonCode, String purpose, String sourceAddress) {
    }

    public Exposure exposure(Actor actor, long staffId, Instant from, Instant to) {
        actor.requireAnyRole("read exposure reports", Role.SECURITY_OFFICER);
        Exposure e = exposureOf(staffId, from, to);
        oversaw(actor, AuditResource.ExposureReport, e.exposed().stream().map(ExposedPatient::patientId).toList());
        return e;
    }

    /**
     * The exposure report without a caller: for the guard, which attaches it to the alert it raises when it freezes
     * an account (an ArchUnit rule keeps other modules away).
     */
    public Exposure exposureOf(long staffId, Instant from, Instant to) {
        if (from == null || to == null || !to.isAfter(from) || Duration.between(from, to).compareTo(MAX_WINDOW) > 0) {
            throw new InvalidInputException("to", "give a window of at most 31 days: from before to");
        }
        // Distinct section lists per patient are few; they are merged here rather than unnested row by row in SQL.
        List<ExposedPatient> exposed = jdbc.sql("""
                        select patient_id, string_agg(distinct sections, '|') as sections,
                               min(recorded_at) as first_access, max(recorded_at) as last_access, count(*) as accesses
                          from audit_entry
                         where actor_id = ? and recorded_at >= ? and recorded_at < ? and decision = 'ALLOW' and patient_id is not null
                         group by patient_id order by min(recorded_at), patient_id""")
                .param(staffId).param(Timestamp.from(from)).param(Timestamp.from(to))
                .query((rs, n) -> new ExposedPatient(rs.getLong("patient_id"), sections(rs.getString("sections")),
                        rs.getTimestamp("first_access").toInstant(), rs.getTimestamp("last_access").toInstant(), rs.getLong("accesses")))
                .list();
        long refused = jdbc.sql("select count(*) from audit_entry where actor_id = ? and recorded_at >= ? and recorded_at < ? and decision = 'DENY'")
                .param(staffId).param(Timestamp.from(from)).param(Timestamp.from(to)).query(Long.class).single();
        return new Exposure(staffId, from, to, exposed.size(), refused, exposed);
    }

    private static List<String> sections(String aggregated) {
        if (aggregated == null || aggregated.isEmpty()) {
            // An answer that named the patient by id alone (a relationship question): the patient's existence was shown.
            return List.of("IDENTITY");
        }
        java.util.TreeSet<String> all = new java.util.TreeSet<>();
        for (String list : aggregated.split("[|,]")) {
            if (!list.isBlank()) {
                all.add(list);
            }
        }
        return List.copyOf(all);
    }

    /** The exposure report as CSV, one line per patient, ready to attach to a notification. */
    public static String toCsv(Exposure e) {
        StringBuilder b = new StringBuilder("patient_id,sections,first_access,last_access,accesses\n");
        for (ExposedPatient p : e.exposed()) {
            b.append(p.patientId()).append(",\"").append(String.join(";", p.sections())).append("\",")
                    .append(p.firstAccess()).append(',').append(p.lastAccess()).append(',').append(p.accesses()).append('\n');
        }
        return b.toString();
    }

    public List<PatientAccess> patientAccesses(Actor actor, long patientId) {
        actor.requireAnyRole("read patients' access reports", Role.SECURITY_OFFICER);
        List<PatientAccess> accesses = jdbc.sql("""
                        select recorded_at, actor_id, actor_username, actor_roles, action, sections, decision, reason_code, purpose, source_address
                          from audit_entry where patient_id = ? order by recorded_at desc, seq desc limit 1000""")
                .param(patientId)
                .query((rs, n) -> new PatientAccess(rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("actor_id"),
                        rs.getString("actor_username"), rs.getString("actor_roles"), rs.getString("action"), rs.getString("sections"),
                        rs.getString("decision"), rs.getString("reason_code"), rs.getString("purpose"), rs.getString("source_address")))
                .list();
        // Audited after the query, so that the report does not list the very view that reads it.
        oversaw(actor, AuditResource.AccessReport, List.of(patientId));
        return accesses;
    }

    /** One line of the trail as the security officer's search shows it. */
    public record Entry(long seq, Instant at, Long actorId, String actorUsername, String action, Long patientId, String resourceType,
                        String sections, String decision, String reasonCode, String sourceAddress, String detail) {
    }

    /** The newest entries of a window (at most {@link #MAX_WINDOW}), optionally of one account, one patient, or refusals only. */
    public List<Entry> search(Actor actor, Instant from, Instant to, Long staffId, Long patientId, boolean refusalsOnly, int limit) {
        actor.requireAnyRole("search the audit trail", Role.SECURITY_OFFICER);
        if (from == null || to == null || !to.isAfter(from) || java.time.Duration.between(from, to).compareTo(MAX_WINDOW) > 0) {
            throw new org.dossier.platform.InvalidInputException("from", "the window must end after it starts and span at most "
                    + MAX_WINDOW.toDays() + " days");
        }
        StringBuilder sql = new StringBuilder("select seq, recorded_at, actor_id, actor_username, action, patient_id, resource_type, sections,"
                + " decision, reason_code, source_address, detail from audit_entry where recorded_at >= :from and recorded_at < :to");
        java.util.Map<String, Object> params = new java.util.HashMap<>();
        params.put("from", java.sql.Timestamp.from(from));
        params.put("to", java.sql.Timestamp.from(to));
        if (staffId != null) {
            sql.append(" and actor_id = :staff");
            params.put("staff", staffId);
        }
        if (patientId != null) {
            sql.append(" and patient_id = :patient");
            params.put("patient", patientId);
        }
        if (refusalsOnly) {
            sql.append(" and decision = 'DENY'");
        }
        sql.append(" order by recorded_at desc, seq desc limit :limit");
        params.put("limit", Math.max(1, Math.min(limit, 500)));
        List<Entry> entries = jdbc.sql(sql.toString()).params(params)
                .query((rs, n) -> new Entry(rs.getLong("seq"), rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("actor_id"),
                        rs.getString("actor_username"), rs.getString("action"), (Long) rs.getObject("patient_id"), rs.getString("resource_type"),
                        rs.getString("sections"), rs.getString("decision"), rs.getString("reason_code"), rs.getString("source_address"),
                        rs.getString("detail")))
                .list();
        // The entries name their patients, and some name another by its path: a refused request's method and path (the
        // action of a refusal no service decided), a refusal's "what to do next" in its detail.
        List<Long> shown = new java.util.ArrayList<>(entries.stream().map(Entry::patientId).toList());
        entries.forEach(e -> shown.addAll(patientsNamedIn(e.action(), e.resourceType(), e.detail())));
        oversaw(actor, AuditResource.AuditEntry, shown);
        return entries;
    }

    /** When, why and what of each access to a patient's record, without who: what the patient themselves is told. */
    public record AccessForPatient(Instant at, String staffRoles, String action, String sections, String purpose) {
    }

    /**
     * The patient's own access report (GDPR article 15): dates, purposes, sections and the kind of staff, not their
     * names. The caller must have been allowed by the gateway to show this patient's identity; the access module does.
     */
    public List<AccessForPatient> accessesToTellThePatient(long patientId) {
        return jdbc.sql("""
                        select recorded_at, actor_roles, action, sections, purpose from audit_entry
                         where patient_id = ? and decision = 'ALLOW' order by recorded_at desc, seq desc limit 1000""")
                .param(patientId)
                .query((rs, n) -> new AccessForPatient(rs.getTimestamp("recorded_at").toInstant(), rs.getString("actor_roles"),
                        rs.getString("action"), rs.getString("sections"), rs.getString("purpose")))
                .list();
    }

    /**
     * One access of the hospital's staff to a patient's record, as the patient's portal shows it (ADR 0039): the entry's
     * sequence number in the chain, when, whose account and roles, what was shown, why (reason code, purpose, the detail
     * naming a break-the-glass grant) and through which channel (a screen, the API, an app).
     */
    public record AccessToMyRecord(long seq, Instant at, Long actorId, String actorRoles, String action, String sections,
                                   String reasonCode, String purpose, String channel, String detail) {
    }

    private static final String ACCESSES_TO_MY_RECORD = """
            select seq, recorded_at, actor_id, actor_roles, action, sections, reason_code, purpose, session_id, detail
              from audit_entry
             where patient_id = :patient and decision = 'ALLOW' and (coalesce(actor_roles, '') <> 'PATIENT' or actor_id <> :self)""";

    /**
     * The allowed accesses of others to a patient's record, newest first, a page at a time, read from the chained trail
     * itself (what the patient sees is what verification covers). The views of the patient's current portal account (the
     * actor id {@code self}) are left out; those made under an earlier enrolment of theirs are not (ADR 0039). The caller must
     * have been allowed by the gateway to show this patient their record; the access module does.
     */
    public List<AccessToMyRecord> accessesToMyRecord(long patientId, long self, int offset, int limit) {
        return jdbc.sql(ACCESSES_TO_MY_RECORD + " order by recorded_at desc, seq desc offset :offset limit :limit")
                .param("patient", patientId).param("self", self).param("offset", Math.max(0, offset)).param("limit", Math.max(1, Math.min(limit, 1000)))
                .query(AuditReports::accessToMyRecord).list();
    }

    /** The same, only the entries of these sequence numbers (the ones a patient says they do not recognise). */
    public List<AccessToMyRecord> accessesToMyRecord(long patientId, long self, java.util.Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(ACCESSES_TO_MY_RECORD + " and seq = any(:seqs) order by seq")
                .param("patient", patientId).param("self", self).param("seqs", seqs.stream().distinct().limit(100).toArray(Long[]::new))
                .query(AuditReports::accessToMyRecord).list();
    }

    private static AccessToMyRecord accessToMyRecord(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new AccessToMyRecord(rs.getLong("seq"), rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("actor_id"),
                rs.getString("actor_roles"), rs.getString("action"), rs.getString("sections"), rs.getString("reason_code"),
                rs.getString("purpose"), channelOf(rs.getString("session_id")), rs.getString("detail"));
    }

    /** The channel an entry came through, from the session reference the actor resolver wrote. */
    static String channelOf(String sessionId) {
        if (sessionId == null) {
            return "SYSTEM";
        }
        if (sessionId.startsWith("session:")) {
            return "SCREEN";
        }
        if (sessionId.startsWith("smart:")) {
            return "APP";
        }
        return sessionId.startsWith("token:") ? "API" : "SYSTEM";
    }

    /** How many allowed accesses an account made under a reason code in a window: the uses of a break-the-glass grant. */
    public long usesUnder(long staffId, long patientId, AuditReason reasonCode, Instant from, Instant to) {
        return jdbc.sql("""
                        select count(*) from audit_entry where actor_id = ? and patient_id = ? and reason_code = ?
                           and recorded_at >= ? and recorded_at <= ? and decision = 'ALLOW'""")
                .param(staffId).param(patientId).param(reasonCode.name()).param(Timestamp.from(from)).param(Timestamp.from(to))
                .query(Long.class).single();
    }
}
