package org.dossier.guard;

import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The exfiltration guard, in the request path: the gateway charges it with the patients a request is about
 * to show, before the data leaves. It counts distinct patients shown per sliding window (1 minute, 1 hour,
 * 24 hours, 30 days) — for clinicians only those <em>not</em> explained by a care relationship — watches
 * canary patients, identifier walks, refused attempts and a session's source address, and answers allow,
 * step-up (fresh second factor and a reason; impossible with an API token) or freeze. State lives in
 * PostgreSQL, so every node sees the same counts and the same frozen account. See docs/security/containment.md.
 */
@Service
public class Guard {

    /**
     * How the patients are shown: a record opened, a record changed (which makes the patient the account's own work for
     * a day), a search result, or a list (census, agenda, queue). Opened and changed records are also counted by pace.
     */
    public enum Kind { OPEN, CHANGE, SEARCH, LIST }

    /** One patient about to be shown, and whether the account's work of the day (or a break-the-glass grant) explains it. */
    public record Touch(long patientId, int facilityId, boolean explained) {
    }

    private final JdbcClient jdbc;
    private final org.dossier.platform.SideConnections side;
    private final GuardPolicy policy;
    private final Freezer freezer;
    private final AlertWebhook webhook;
    private final tools.jackson.databind.json.JsonMapper json;
    private final Clock clock;
    private final GuardMetrics metrics;

    Guard(JdbcClient jdbc, org.dossier.platform.SideConnections side, GuardPolicy policy, Freezer freezer, AlertWebhook webhook,
          tools.jackson.databind.json.JsonMapper json, Clock clock, GuardMetrics metrics) {
        this.metrics = metrics;
        this.webhook = webhook;
        this.json = json;
        // The counters live on the side pool: a request holds its main connection while it is charged.
        this.jdbc = jdbc;
        this.side = side;
        this.policy = policy;
        this.freezer = freezer;
        this.clock = clock;
    }

    /**
     * Charges the request's patients to the actor. Returns a note for the audit entry when a step-up was
     * answered (the reason given), else null; throws {@link GuardException} when the request must not proceed.
     */
    public String charge(Actor actor, Kind kind, List<Touch> touches) {
        if (actor.channel() == Actor.Channel.SYSTEM || touches.isEmpty()) {
            return null;
        }
        Instant now = clock.instant();
        boolean clinician = actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE);
        GuardBudget.Verdict verdict;
        try {
            verdict = evaluate(actor, kind, touches, clinician, now);
        } catch (GuardException e) {
            metrics.decided(kind.name(), "freeze", e.signal());  // the account was no longer active
            throw e;
        }
        if (verdict.response() == null) {
            metrics.allowed(kind);
            return null;
        }
        if (verdict.response() == GuardException.Response.FREEZE) {
            metrics.decided(kind.name(), "freeze", verdict.signal());
            throw freezer.freeze(actor, verdict.signal(), verdict.evidence(), now);
        }
        try {
            String answered = stepUp(actor, verdict.signal(), verdict.evidence(), now);
            metrics.decided(kind.name(), "step_up_answered", verdict.signal());
            return answered;
        } catch (GuardException e) {
            metrics.decided(kind.name(), "step_up", verdict.signal());
            throw e;
        }
    }

    /** Counts a search before it runs: a sweep is many queries a minute, even when most of them find nobody. */
    public void searching(Actor actor) {
        if (actor.channel() == Actor.Channel.SYSTEM) {
            return;
        }
        Instant now = clock.instant();
        // One statement in autocommit, its commit not waiting for the disk (as the charge below).
        int searches = side.autocommit("search count", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    with counted as (
                        insert into guard_query (staff_id, minute, searches) values (?, date_trunc('minute', cast(? as timestamptz)), 1)
                        on conflict (staff_id, minute) do update set searches = guard_query.searches + 1 returning searches)
                    select searches from counted, (select set_config('synchronous_commit', 'off', true)) no_flush""")) {
                s.setLong(1, actor.staffId());
                s.setTimestamp(2, Timestamp.from(now));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
        if (searches > policy.searchesPerMinuteFreeze()) {
            metrics.decided("search_rate", "freeze", GuardSignal.SEARCH_RATE);
            throw freezer.freeze(actor, GuardSignal.SEARCH_RATE, Map.of("searchesThisMinute", searches, "limit", policy.searchesPerMinuteFreeze()), now);
        }
    }

    /** Records that the actor registered this patient: reading it back later is their own work, not a walk. */
    public void registered(Actor actor, long patientId, int facilityId) {
        if (actor.channel() == Actor.Channel.SYSTEM) {
            return;
        }
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("""
                        insert into guard_touch (staff_id, patient_id, facility_id, first_at, last_at, unexplained, created)
                        values (?, ?, ?, ?, ?, false, true)
                        on conflict (staff_id, patient_id) do update set created = true""")
                .param(actor.staffId()).param(patientId).param(facilityId).param(now).param(now).update();
    }

    /**
     * The patients among {@code patientIds} that are the actor's own work: registered by it, or changed by it within the
     * last day (the guard remembers both). A list may name them to it like the rest of its work of the day.
     */
    public java.util.Set<Long> ownWork(Actor actor, java.util.Collection<Long> patientIds) {
        if (patientIds.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(jdbc.sql("""
                        select patient_id from guard_touch
                         where staff_id = ? and patient_id = any(?) and (created or worked_at > ?)""")
                .param(actor.staffId()).param(patientIds.stream().distinct().toArray(Long[]::new))
                .param(Timestamp.from(clock.instant().minus(Duration.ofDays(1)))).query(Long.class).list());
    }

    /** Called after each refused attempt (already in the trail): a run of them is probing, and freezes. */
    public void refused(Actor actor) {
        if (actor.channel() == Actor.Channel.SYSTEM) {
            return;
        }
        Instant now = clock.instant();
        // Counted up to the limit only: past it the answer is the same, and a flood of refusals must not cost more each.
        long refusals = jdbc.sql("""
                        select count(*) from (select 1 from audit_entry
                         where actor_id = :s and recorded_at > greatest(cast(:since as timestamptz),
                               coalesce((select counting_since from guard_state where staff_id = :s), '-infinity'::timestamptz))
                           and decision = 'DENY' limit :limit) refused""")
                .param("s", actor.staffId()).param("since", Timestamp.from(now.minus(Duration.ofMinutes(1))))
                .param("limit", policy.refusalsPerMinuteFreeze()).query(Long.class).single();
        if (refusals >= policy.refusalsPerMinuteFreeze()) {
            metrics.decided("refusals", "freeze", GuardSignal.REFUSALS);
            throw freezer.freeze(actor, GuardSignal.REFUSALS, Map.of("refusalsLastMinute", refusals, "limit", policy.refusalsPerMinuteFreeze()), now);
        }
    }

    private GuardBudget.Verdict evaluate(Actor actor, Kind kind, List<Touch> touches, boolean clinician, Instant now) {
        GuardBudget.Tally tally = tally(actor, kind, touches, now);
        return GuardBudget.judge(policy, new GuardBudget.Request(kind, touches.size(), clinician, actor.sourceAddress()), tally);
    }

    /**
     * One statement (migration V19): the account's status now, the canaries among the request's patients, the session's first
     * address, the touches counted and the windows' counts — nothing counted for an account no longer active or a request
     * touching a canary. Its commit does not wait for the disk (ADR 0015): the counters are a running tally; the audit trail,
     * which does wait, is the record of what was shown.
     */
    private GuardBudget.Tally tally(Actor actor, Kind kind, List<Touch> touches, Instant now) {
        Object[] unexplained = touches.stream().map(t -> !t.explained()).toArray();
        long probe = kind == Kind.OPEN && touches.size() == 1 ? touches.get(0).patientId() : -1;
        Charge charge = side.autocommit("guard charge", c -> {
            try (PreparedStatement s = c.prepareStatement("select * from guard_charge(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, actor.staffId());
                // The address is watched per session or token when both are known; a token's own state is read (V43).
                s.setString(2, actor.sessionId());
                s.setString(3, actor.sourceAddress());
                s.setTimestamp(4, Timestamp.from(now));
                s.setArray(5, c.createArrayOf("bigint", touches.stream().map(Touch::patientId).toArray()));
                s.setArray(6, c.createArrayOf("integer", touches.stream().map(Touch::facilityId).toArray()));
                s.setArray(7, c.createArrayOf("boolean", unexplained));
                s.setLong(8, probe);
                s.setTimestamp(9, Timestamp.from(now.minus(Duration.ofMinutes(1))));
                s.setTimestamp(10, Timestamp.from(now.minus(Duration.ofHours(1))));
                s.setTimestamp(11, Timestamp.from(now.minus(Duration.ofDays(1))));
                s.setTimestamp(12, Timestamp.from(now.minus(Duration.ofDays(30))));
                s.setString(13, kind.name());
                s.setTimestamp(14, Timestamp.from(now.minus(Duration.ofMinutes(10))));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new Charge(rs.getString(1), new GuardBudget.Tally(List.of((Long[]) rs.getArray(2).getArray()), rs.getString(3),
                            new GuardBudget.Unexplained(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7)),
                            new GuardBudget.Opened(rs.getLong(9), rs.getLong(10), rs.getLong(11)), rs.getLong(8), rs.getLong(12)));
                }
            }
        });
        if ("TOKEN_ENDED".equals(charge.status())) {
            // Revoked or expired while a node still remembered it (ADR 0037): as if it had never been valid.
            throw new org.dossier.platform.UnauthorizedException("Invalid or expired token");
        }
        if (!"ACTIVE".equals(charge.status())) {
            // Frozen (or suspended) while this request was under way, possibly by another node: nothing leaves.
            throw new GuardException(GuardException.Response.FREEZE, GuardSignal.ACCOUNT_NOT_ACTIVE, "This account is " + charge.status()
                    + ": its sessions and tokens were ended. The security officer can tell you why.");
        }
        return charge.tally();
    }

    /** What guard_charge gathered: the account's status, and what it counted. */
    private record Charge(String status, GuardBudget.Tally tally) {
    }

    /**
     * A step-up is answered only by a second factor proven <em>after</em> the guard asked for it (and within 5 minutes),
     * with a reason (header X-Dossier-Reason); never by a token, nor by the sign-in's factor, nor by the reason alone.
     */
    private String stepUp(Actor actor, GuardSignal signal, Map<String, Object> evidence, Instant now) {
        String why = switch (signal) {
            case NEW_ADDRESS -> "this session is now used from another address";
            case PACE -> "you are opening records faster than anyone reads them";
            case VOLUME -> "you have been shown more patients in the last hour than any work list holds";
            default -> "you have been shown more patients outside your work of the day than usual";
        };
        Instant asked = asked(actor, signal, evidence, now);
        if (actor.channel() == Actor.Channel.TOKEN) {
            throw new GuardException(GuardException.Response.STEP_UP, signal, "Refused: " + why
                    + ". An API token cannot confirm it is you; sign in in the browser and confirm with your second factor");
        }
        String reason = MDC.get("accessReason");
        Instant factor = actor.secondFactorAt();
        boolean proven = factor != null && factor.isAfter(asked) && !factor.isBefore(now.minus(Actor.STEP_UP_FRESHNESS));
        if (!proven || reason == null || reason.isBlank()) {
            throw new GuardException(GuardException.Response.STEP_UP, signal, "Confirm it is you: " + why
                    + ". Confirm with your passkey or an authenticator code (POST /api/auth/step-up) and give the reason in the "
                    + "X-Dossier-Reason header" + (proven ? "" : "; a second factor used before this request does not answer it"));
        }
        return "step-up answered (" + signal + "): " + reason;
    }

    /**
     * When the guard asked this session (or token) to step up: the pending question's time, or now for a new one (none
     * pending, or the last one answered by a factor that is no longer fresh). A new question is an alert: LOW, or MEDIUM
     * when the account has been asked {@link GuardPolicy#repeatedStepUps()} times within the hour. Written in autocommit
     * on the side pool: the request is refused, and what it leaves must not be rolled back with it.
     */
    private Instant asked(Actor actor, GuardSignal signal, Map<String, Object> evidence, Instant at) {
        String key = actor.sessionId() != null ? actor.sessionId() : "account:" + actor.staffId();
        Instant factor = actor.secondFactorAt();
        Instant now = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS); // as PostgreSQL keeps it, to tell a new question
        Instant asked = side.autocommit("step-up asked", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    insert into guard_session (session_id, staff_id, first_address, first_at, step_up_asked_at) values (?, ?, ?, ?, ?)
                    on conflict (session_id) do update set step_up_asked_at =
                        case when guard_session.step_up_asked_at is null
                               or (cast(? as timestamptz) > guard_session.step_up_asked_at and cast(? as timestamptz) < ?)
                             then excluded.step_up_asked_at else guard_session.step_up_asked_at end
                    returning step_up_asked_at""")) {
                Timestamp asking = Timestamp.from(now);
                Timestamp f = factor == null ? null : Timestamp.from(factor);
                s.setString(1, key);
                s.setLong(2, actor.staffId());
                s.setString(3, actor.sourceAddress());
                s.setTimestamp(4, asking);
                s.setTimestamp(5, asking);
                s.setTimestamp(6, f);
                s.setTimestamp(7, f);
                s.setTimestamp(8, Timestamp.from(now.minus(Actor.STEP_UP_FRESHNESS)));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getTimestamp(1).toInstant();
                }
            }
        });
        if (asked.equals(now)) {
            raiseStepUpAlert(actor, signal, evidence, now);
        }
        return asked;
    }

    private void raiseStepUpAlert(Actor actor, GuardSignal signal, Map<String, Object> evidence, Instant now) {
        Map<String, Object> full = new java.util.LinkedHashMap<>(evidence);
        full.put("channel", actor.channel().name());
        full.put("session", actor.sessionId());
        long[] alert = side.autocommit("step-up alert", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    with recent as (select count(*) as n from guard_alert a
                                     where a.staff_id = ? and a.response = 'STEP_UP' and a.raised_at > ?)
                    insert into guard_alert (staff_id, username, raised_at, signal, response, request_id, source_address, evidence,
                                             status, severity)
                    select ?, ?, ?, ?, 'STEP_UP', ?, ?, cast(? as json), 'OPEN',
                           case when recent.n + 1 >= ? then 'MEDIUM' else 'LOW' end from recent
                    returning id, case when severity = 'MEDIUM' then 1 else 0 end""")) {
                s.setLong(1, actor.staffId());
                s.setTimestamp(2, Timestamp.from(now.minus(Duration.ofHours(1))));
                s.setLong(3, actor.staffId());
                s.setString(4, actor.username());
                s.setTimestamp(5, Timestamp.from(now));
                s.setString(6, signal.name());
                s.setString(7, MDC.get("requestId"));
                s.setString(8, actor.sourceAddress());
                s.setString(9, json.writeValueAsString(full));
                s.setInt(10, policy.repeatedStepUps());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new long[]{rs.getLong(1), rs.getLong(2)};
                }
            }
        });
        webhook.send(Map.of("alert", alert[0], "response", "STEP_UP", "severity", alert[1] == 1 ? "MEDIUM" : "LOW", "signal", signal,
                "staffId", actor.staffId(), "username", actor.username(), "at", now.toString(), "evidence", full,
                "exposureReport", "/api/guard/alerts/" + alert[0]));
    }
}
