package org.dossier.identity;

import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.platform.TooManyRequestsException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Wrong second-factor codes (authenticator or recovery code), counted per account on every channel — sign-in
 * ({@code /login/totp}, {@code /login/recovery}), API tokens, step-up — whatever the password did: a correct
 * password does not clear this count, only a correct code does. After {@value #LOCK_AFTER} wrong codes the
 * account's second factor is locked for a minute, doubling with each further lock (at most a day), and the
 * security officer is alerted; after {@value #FREEZE_AFTER} wrong codes within a day the account is frozen (every
 * session and token revoked) until the security officer unfreezes it.
 */
@Component
class SecondFactorLock {

    static final int LOCK_AFTER = 5;
    static final int FREEZE_AFTER = 20;
    static final Duration FIRST_LOCK = Duration.ofMinutes(1);
    static final Duration MAX_LOCK = Duration.ofDays(1);
    static final Duration DAY = Duration.ofDays(1);

    private final JdbcClient jdbc;
    private final OrganizationService organization;
    private final SecurityEvents events;
    private final Clock clock;

    SecondFactorLock(JdbcClient jdbc, OrganizationService organization, SecurityEvents events, Clock clock) {
        this.jdbc = jdbc;
        this.organization = organization;
        this.events = events;
        this.clock = clock;
    }

    /** Refuses (429, with when to retry) any code while the account's second factor is locked, right or wrong. */
    void check(StaffMember member) {
        Instant now = clock.instant();
        jdbc.sql("select locked_until from second_factor_lock where staff_id = ?").param(member.id())
                .query(Timestamp.class).optional()
                .filter(until -> until != null && until.toInstant().isAfter(now))
                .ifPresent(until -> {
                    Duration wait = Duration.between(now, until.toInstant());
                    throw new TooManyRequestsException("Your second factor is locked after too many wrong codes: try again in "
                            + Math.max(1, wait.toSeconds()) + " s. The security officer has been told.", wait);
                });
    }

    /**
     * Counts a wrong code, in its own transaction (the refused request rolls back): locks the second factor at
     * every {@value #LOCK_AFTER}th, freezes the account at the {@value #FREEZE_AFTER}th of the day. What the
     * outcome was, for the caller's answer.
     */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public Outcome failed(StaffMember member, String channel, String source, String agent) {
        Instant now = clock.instant();
        Timestamp at = Timestamp.from(now);
        Timestamp dayAgo = Timestamp.from(now.minus(DAY));
        int[] row = jdbc.sql("""
                        insert into second_factor_lock (staff_id, failures, locks, day_start, day_failures, last_failure)
                        values (?, 1, 0, ?, 1, ?)
                        on conflict (staff_id) do update set
                            failures = second_factor_lock.failures + 1,
                            day_failures = case when second_factor_lock.day_start < ? then 1 else second_factor_lock.day_failures + 1 end,
                            day_start = case when second_factor_lock.day_start < ? then excluded.day_start else second_factor_lock.day_start end,
                            last_failure = excluded.last_failure
                        returning failures, locks, day_failures""")
                .param(member.id()).param(at).param(at).param(dayAgo).param(dayAgo)
                .query((rs, n) -> new int[]{rs.getInt(1), rs.getInt(2), rs.getInt(3)}).single();
        int failures = row[0];
        int locks = row[1];
        int today = row[2];
        if (today >= FREEZE_AFTER) {
            StaffMember current = organization.staffMember(member.id());
            if (current.status() == StaffStatus.ACTIVE) {
                // The account change revokes every session and token (AccountSecurity); the guard alerts on the event.
                organization.setStatusBySystem(member.id(), StaffStatus.FROZEN, null,
                        "frozen: " + today + " wrong second-factor codes within a day");
                events.publish(SecurityEvent.Type.SECOND_FACTOR_FROZEN, member.id(), member.username(), source, agent,
                        today + " wrong second-factor codes within a day (last on " + channel + "): account frozen, every session and token revoked");
            }
            return Outcome.FROZEN;
        }
        if (failures >= LOCK_AFTER) {
            Duration lock = lockFor(locks);
            jdbc.sql("update second_factor_lock set failures = 0, locks = locks + 1, locked_until = ? where staff_id = ?")
                    .param(Timestamp.from(now.plus(lock))).param(member.id()).update();
            events.publish(SecurityEvent.Type.SECOND_FACTOR_LOCKED, member.id(), member.username(), source, agent,
                    failures + " wrong second-factor codes in a row (last on " + channel + "): second factor locked for "
                            + lock.toSeconds() + " s; " + today + " wrong today");
            return Outcome.LOCKED;
        }
        return Outcome.COUNTED;
    }

    /** A correct code: the count (and the growing lock) restarts. The day's count stays, for the freeze. */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void succeeded(long staffId) {
        jdbc.sql("update second_factor_lock set failures = 0, locks = 0, locked_until = null where staff_id = ?").param(staffId).update();
    }

    /** An account frozen for guessing and made active again (the security officer's unfreeze) starts counting afresh. */
    @org.springframework.context.event.EventListener
    void onAccountChanged(org.dossier.organization.StaffAccountChanged change) {
        if (change.status() == StaffStatus.ACTIVE) {
            jdbc.sql("delete from second_factor_lock where staff_id = ? and day_failures >= ?").param(change.staffId()).param(FREEZE_AFTER).update();
        }
    }

    enum Outcome { COUNTED, LOCKED, FROZEN }

    /** The lock after {@code previousLocks} locks: 1 min, 2 min, 4 min … at most a day. */
    static Duration lockFor(int previousLocks) {
        long minutes = 1L << Math.min(20, previousLocks);
        Duration d = FIRST_LOCK.multipliedBy(minutes);
        return d.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : d;
    }

    /** After a wrong code that locked or froze the account, the refusal (429, with when to retry); nothing otherwise. */
    void refuseIf(Outcome outcome, StaffMember member) {
        if (outcome == Outcome.FROZEN) {
            throw new TooManyRequestsException("Too many wrong second-factor codes today: this account is frozen and every session "
                    + "ended. The security officer has been alerted and is the only one who can unfreeze it.", DAY);
        }
        if (outcome == Outcome.LOCKED) {
            check(member);
        }
    }
}
