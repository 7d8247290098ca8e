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

    /** How the patients are shown: a record opened, a search result, or a list of one's own work (census, agenda). */
    public enum Kind { OPEN, SEARCH, LIST }

    /** One patient about to be shown, and whether a care relationship (or a break-the-glass grant) explains it. */
    public record Touch(long patientId, int facilityId, boolean explained) {
    }

    private final JdbcClient jdbc;
    private final org.dossier.platform.SideConnections side;
    private final GuardPolicy policy;
    private final Freezer freezer;
    private final Clock clock;

    Guard(JdbcClient jdbc, org.dossier.platform.SideConnections side, GuardPolicy policy, Freezer freezer, Clock clock) {
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
        GuardPolicy.Budget budget = clinician ? policy.clinician() : policy.administrative();
        Verdict verdict = evaluate(actor, kind, touches, clinician, budget, now);
        if (verdict.response() == null) {
            return null;
        }
        if (verdict.response() == GuardException.Response.FREEZE) {
            throw freezer.freeze(actor, verdict.signal(), verdict.evidence(), now);
        }
        return stepUp(actor, verdict.signal(), now);
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
            throw freezer.freeze(actor, "SEARCH_RATE", Map.of("searchesThisMinute", searches, "limit", policy.searchesPerMinuteFreeze()), now);
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

    /** Called after each refused attempt (already in the trail): a run of them is probing, and freezes. */
    public void refused(Actor actor) {
        if (actor.channel() == Actor.Channel.SYSTEM) {
            return;
        }
        Instant now = clock.instant();
        long refusals = jdbc.sql("""
                        select count(*) from audit_entry
                         where actor_id = :s and recorded_at > greatest(cast(:since as timestamptz),
                               coalesce((select counting_since from guard_state where staff_id = :s), '-infinity'::timestamptz))
                           and decision = 'DENY'""")
                .param("s", actor.staffId()).param("since", Timestamp.from(now.minus(Duration.ofMinutes(1)))).query(Long.class).single();
        if (refusals >= policy.refusalsPerMinuteFreeze()) {
            throw freezer.freeze(actor, "REFUSALS", Map.of("refusalsLastMinute", refusals, "limit", policy.refusalsPerMinuteFreeze()), now);
        }
    }

    /** A verdict of one evaluation: no response (allow), or the response, the signal and what was seen. */
    record Verdict(GuardException.Response response, String signal, Map<String, Object> evidence) {
        static final Verdict ALLOW = new Verdict(null, null, Map.of());
    }

    private Verdict evaluate(Actor actor, Kind kind, List<Touch> touches, boolean clinician, GuardPolicy.Budget budget, Instant now) {
        Object[] unexplained = touches.stream().map(t -> kind != Kind.LIST && !(clinician && t.explained())).toArray();
        long probe = kind == Kind.OPEN && touches.size() == 1 ? touches.get(0).patientId() : -1;
        boolean watchAddress = actor.sessionId() != null && actor.sourceAddress() != null;
        // One statement (migration V19): the account's status now, the canaries among the request's patients, the
        // session's first address, the touches counted and the windows' counts — nothing counted for an account no
        // longer active or a request touching a canary. Its commit does not wait for the disk (ADR 0015): the counters
        // are a running tally; the audit trail, which does wait, is the record of what was shown.
        Charge charge = side.autocommit("guard charge", c -> {
            try (PreparedStatement s = c.prepareStatement("select * from guard_charge(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, actor.staffId());
                s.setString(2, watchAddress ? actor.sessionId() : null);
                s.setString(3, watchAddress ? actor.sourceAddress() : null);
                s.setTimestamp(4, Timestamp.from(now));
                s.setArray(5, c.createArrayOf("bigint", touches.stream().map(Touch::patientId).toArray()));
                s.setArray(6, c.createArrayOf("integer", touches.stream().map(Touch::facilityId).toArray()));
                s.setArray(7, c.createArrayOf("boolean", unexplained));
                s.setLong(8, probe);
                s.setTimestamp(9, Timestamp.from(now.minus(Duration.ofMinutes(1))));
                s.setTimestamp(10, Timestamp.from(now.minus(Duration.ofHours(1))));
                s.setTimestamp(11, Timestamp.from(now.minus(Duration.ofDays(1))));
                s.setTimestamp(12, Timestamp.from(now.minus(Duration.ofDays(30))));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new Charge(rs.getString(1), List.of((Long[]) rs.getArray(2).getArray()), rs.getString(3),
                            new long[]{rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)});
                }
            }
        });
        if (!"ACTIVE".equals(charge.status())) {
            // Frozen (or suspended) while this request was under way, possibly by another node: nothing leaves.
            throw new GuardException(GuardException.Response.FREEZE, "ACCOUNT_NOT_ACTIVE", "This account is " + charge.status()
                    + ": its sessions and tokens were ended. The security officer can tell you why.");
        }
        if (!charge.canaries().isEmpty()) {
            return new Verdict(GuardException.Response.FREEZE, "CANARY", Map.of("canaries", charge.canaries(), "kind", kind.name(),
                    "patientsInRequest", touches.size()));
        }
        long[] counts = charge.counts();
        Map<String, Object> evidence = Map.of("kind", kind.name(), "patientsInRequest", touches.size(),
                "distinctUnexplained", Map.of("minute", counts[0], "hour", counts[1], "day", counts[2], "month", counts[3]),
                "neighboursLastMinute", counts[4], "profile", clinician ? "clinician" : "administrative", "budget", budget);
        if (counts[4] >= policy.neighboursPerMinuteFreeze()) {
            return new Verdict(GuardException.Response.FREEZE, "ENUMERATION", evidence);
        }
        if (counts[0] > budget.minuteFreeze() || counts[1] > budget.hourFreeze() || counts[2] > budget.dayFreeze()
                || counts[3] > budget.monthFreeze()) {
            return new Verdict(GuardException.Response.FREEZE, "UNEXPLAINED_BUDGET", evidence);
        }
        if (counts[1] > budget.hourStepUp() || counts[2] > budget.dayStepUp()) {
            return new Verdict(GuardException.Response.STEP_UP, "UNEXPLAINED_RATE", evidence);
        }
        // A session or token first used from one address and now from another: the step-up proves the same person.
        if (charge.firstAddress() != null && !charge.firstAddress().equals(actor.sourceAddress())) {
            return new Verdict(GuardException.Response.STEP_UP, "NEW_ADDRESS", evidence);
        }
        return Verdict.ALLOW;
    }

    /** What guard_charge gathered: the account's status, canaries touched, the session's first address, the window counts. */
    private record Charge(String status, List<Long> canaries, String firstAddress, long[] counts) {
    }

    /** A step-up is answered by a second factor used within 5 minutes and a reason (header X-Dossier-Reason); never by a token. */
    private String stepUp(Actor actor, String signal, Instant now) {
        String why = signal.equals("NEW_ADDRESS") ? "this session is now used from another address"
                : "you have been shown more patients without a care relationship than usual";
        if (actor.channel() == Actor.Channel.TOKEN) {
            throw new GuardException(GuardException.Response.STEP_UP, signal, "Refused: " + why
                    + ". An API token cannot confirm it is you; sign in in the browser and confirm with your second factor");
        }
        String reason = MDC.get("accessReason");
        boolean fresh = actor.secondFactorAt() != null && !actor.secondFactorAt().isBefore(now.minus(Actor.STEP_UP_FRESHNESS));
        if (!fresh || reason == null || reason.isBlank()) {
            throw new GuardException(GuardException.Response.STEP_UP, signal, "Confirm it is you: " + why
                    + ". Confirm with your passkey or an authenticator code (POST /api/auth/step-up) and give the reason in the "
                    + "X-Dossier-Reason header");
        }
        return "step-up answered (" + signal + "): " + reason;
    }
}
