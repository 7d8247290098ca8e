package org.dossier.identity;

import org.dossier.platform.TooManyRequestsException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Slows down password and code guessing, per account and per source address, without ever locking an
 * account for good (which would let an attacker lock staff out): after a few failures each attempt must
 * wait longer (1 s, 2 s, 4 s … up to 5 min), and an account accepts at most 100 failures per hour.
 */
@Component
class LoginThrottle {

    static final int FREE_FAILURES = 4;
    static final int MAX_FAILURES_PER_HOUR = 100;
    static final Duration WINDOW = Duration.ofHours(1);
    static final Duration MAX_DELAY = Duration.ofMinutes(5);

    private final JdbcClient jdbc;
    private final Clock clock;

    LoginThrottle(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    static String accountKey(String username) {
        return "account:" + (username == null ? "" : username.strip().toLowerCase(Locale.ROOT));
    }

    static String addressKey(String address) {
        return "address:" + address;
    }

    /** Refuses (429) an attempt that comes too soon after failures; says when to retry. */
    void check(String... keys) {
        Instant now = clock.instant();
        for (String key : keys) {
            var row = jdbc.sql("select window_start, failures, last_failure from auth_throttle where throttle_key = ?").param(key)
                    .query((rs, n) -> new Object[]{rs.getTimestamp(1).toInstant(), rs.getInt(2), rs.getTimestamp(3).toInstant()}).optional();
            if (row.isEmpty() || ((Instant) row.get()[0]).isBefore(now.minus(WINDOW))) {
                continue;
            }
            int failures = (int) row.get()[1];
            Instant last = (Instant) row.get()[2];
            boolean isAccount = key.startsWith("account:");
            if (isAccount && failures >= MAX_FAILURES_PER_HOUR) {
                Duration wait = Duration.between(now, ((Instant) row.get()[0]).plus(WINDOW));
                throw new TooManyRequestsException("Too many failed attempts; try again later", wait);
            }
            // A hospital puts many staff behind one address: the address rule only slows real sweeps.
            Duration delay = delay(isAccount ? failures : failures / 20);
            if (last.plus(delay).isAfter(now)) {
                throw new TooManyRequestsException("Too many failed attempts; wait before trying again", Duration.between(now, last.plus(delay)));
            }
        }
    }

    /** Counts a failure; kept even if the surrounding transaction rolls back. */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void failed(String... keys) {
        Timestamp now = Timestamp.from(clock.instant());
        Timestamp windowStart = Timestamp.from(clock.instant().minus(WINDOW));
        for (String key : keys) {
            jdbc.sql("""
                            insert into auth_throttle (throttle_key, window_start, failures, last_failure) values (?, ?, 1, ?)
                            on conflict (throttle_key) do update set
                                failures = case when auth_throttle.window_start < ? then 1 else auth_throttle.failures + 1 end,
                                window_start = case when auth_throttle.window_start < ? then excluded.window_start else auth_throttle.window_start end,
                                last_failure = excluded.last_failure""")
                    .param(key).param(now).param(now).param(windowStart).param(windowStart).update();
        }
    }

    /**
     * A success clears the account's count (not the address's: one good login must not hide a sweep). In its
     * own transaction, like failures, so that no sign-in holds a lock on the counter while it goes on.
     */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void succeeded(String accountKey) {
        jdbc.sql("delete from auth_throttle where throttle_key = ?").param(accountKey).update();
    }

    static Duration delay(int failures) {
        if (failures <= FREE_FAILURES) {
            return Duration.ZERO;
        }
        long seconds = 1L << Math.min(20, failures - FREE_FAILURES - 1);
        return seconds > MAX_DELAY.toSeconds() ? MAX_DELAY : Duration.ofSeconds(seconds);
    }
}
