package org.dossier.platform;

import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the database can serve now, as the supervisor ({@code platform.database.DatabaseSupervisor}) last saw it.
 * While it cannot, every request is answered 503 with {@code Retry-After} at once instead of waiting on a pool that
 * has nothing to give (docs/decisions/0021-supervised-database.md).
 */
@Component
public class DatabaseAvailability {

    /** Why the database is unavailable, since when, and how long a client should wait before trying again. */
    public record Outage(Instant since, String reason, int attempts, boolean failing) {

        /** Seconds a client should wait: a restart usually takes a few seconds; a failing one is retried every half minute. */
        public long retryAfterSeconds() {
            return failing ? 30 : 5;
        }
    }

    private volatile Outage outage;

    public boolean isUp() {
        return outage == null;
    }

    public Optional<Outage> outage() {
        return Optional.ofNullable(outage);
    }

    /** Seconds for a {@code Retry-After} header: the outage's, or a short one when a failure arrived before the supervisor saw it. */
    public long retryAfterSeconds() {
        Outage o = outage;
        return o == null ? 5 : o.retryAfterSeconds();
    }

    /** Marks the database unavailable (the supervisor's call); the first reason and time are kept. */
    public void down(String reason) {
        Outage o = outage;
        outage = o == null ? new Outage(Instant.now(), reason, 0, false) : o;
    }

    /** Records a failed restart; after {@code failingAfter} of them the outage is shown as failing (an operator is needed). */
    public void restartFailed(String reason, int attempts, boolean failing) {
        Outage o = outage;
        outage = new Outage(o == null ? Instant.now() : o.since(), reason, attempts, failing);
    }

    public void up() {
        outage = null;
    }

    /**
     * Whether a failure means "the database is not there" rather than a fault of the request: the database is known to
     * be down, or the failure is a lost or refused connection (SQLSTATE class 08, PostgreSQL shutting down or starting
     * up 57P01–57P03, a pool that could not hand out a connection in time).
     */
    public boolean explains(Throwable failure) {
        if (!isUp() || isConnectionFailure(failure)) {
            return true;
        }
        // A statement can fail a few milliseconds before the supervisor sees the postmaster gone (it looks every 100 ms),
        // with a code that names no connection (a rollback refused by a backend on its way out): a database failure
        // waits that long for the verdict. Only failures that would otherwise be a 500 get here.
        if (!involvesDatabase(failure)) {
            return false;
        }
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (isUp() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !isUp();
    }

    /** How long a database failure waits for the supervisor's verdict: two of its looks. */
    private static final Duration SETTLE = Duration.ofMillis(250);

    private static boolean involvesDatabase(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException || t instanceof org.springframework.dao.DataAccessException
                    || t instanceof org.springframework.transaction.TransactionException) {
                return true;
            }
        }
        return false;
    }

    public static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** How long the database has been unavailable, or zero. */
    public Duration downFor() {
        Outage o = outage;
        return o == null ? Duration.ZERO : Duration.between(o.since(), Instant.now());
    }
}
