package org.dossier.identity;

import org.dossier.platform.AccountConnections;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What this node remembers of the bearer tokens it was shown: token → account, roles, facilities and units, so that
 * a request does not read them again (issue 21, ADR 0037). It forgets an account as soon as PostgreSQL tells it the
 * account, its roles, facilities, units or tokens changed, on any node (triggers of migration V44 notify the channel
 * {@value #CHANNEL} on commit); it forgets everything while it cannot hear those notifications; and it keeps nothing
 * longer than its maximum age. A freeze still refuses the next request that would show a patient on every node without
 * waiting for the notification: the guard's charge reads the account's status in its own statement.
 */
@Component
public final class LiveTokens implements AccountConnections.Listener {

    static final String CHANNEL = "dossier_account";
    private static final String BARRIER = "barrier:";
    private static final Duration RESEND = Duration.ofMillis(200);

    /**
     * One token's answer. It is in the map before it is known to be good (its reader checks the generation only after
     * putting it, so that a change heard in between finds it and removes it) and is served only once {@code confirmed}:
     * served in between, an answer read before a change could reach a request that started after the change was heard
     * (LiveTokensRaceTest).
     */
    private static final class Remembered {
        private final ApiTokens.Live live;
        private final Instant until;
        private volatile boolean confirmed;

        Remembered(ApiTokens.Live live, Instant until) {
            this.live = live;
            this.until = until;
        }

        ApiTokens.Live live() {
            return live;
        }

        Instant until() {
            return until;
        }
    }

    private final Map<String, Remembered> byHash = new ConcurrentHashMap<>();
    /** Moves on every notification and every gap: an answer read before it moved is not remembered. */
    private final AtomicLong generation = new AtomicLong();
    private final Clock clock;
    private final Duration maxAge;
    private final int maxEntries;
    private volatile boolean listening;
    private final AccountConnections connections;
    private final AtomicLong barriers = new AtomicLong();
    /** This node's barriers only: other nodes' are heard here too, and ignored. */
    private final String barrierPrefix = BARRIER + java.util.UUID.randomUUID() + ":";
    private final Map<String, Boolean> barriersHeard = new ConcurrentHashMap<>();

    @Autowired
    LiveTokens(AccountConnections connections, Clock clock, @Value("${dossier.auth.token-cache.max-age:PT30S}") Duration maxAge,
               @Value("${dossier.auth.token-cache.max-entries:10000}") int maxEntries) {
        this.connections = connections;
        this.clock = clock;
        this.maxAge = maxAge.isNegative() ? Duration.ZERO : maxAge;
        this.maxEntries = Math.max(1, maxEntries);
        connections.listen(CHANNEL, this);
    }

    /** Without a listener of its own (unit tests): it remembers nothing until told by {@link #gap} that it is heard. */
    LiveTokens(Clock clock, Duration maxAge, int maxEntries) {
        this.connections = null;
        this.clock = clock;
        this.maxAge = maxAge;
        this.maxEntries = maxEntries;
    }

    /**
     * Returns once this node has heard every account change committed before the call (a notification of its own,
     * sent after them, came back), or after {@code atMost}; false then. For whoever changed accounts behind the
     * application's back — a migration, an operator's SQL, a test — and wants this node to have forgotten them.
     */
    public boolean awaitHeard(Duration atMost) {
        String barrier = barrierPrefix + barriers.incrementAndGet();
        long deadline = System.nanoTime() + atMost.toNanos();
        long nextSend = System.nanoTime();
        while (barriersHeard.remove(barrier) == null) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                return false;
            }
            // Sent again until heard: one sent before the listener (re)started listening is heard by no one.
            if (now - nextSend >= 0) {
                connections.jdbc().sql("select pg_notify(?, ?)").param(CHANNEL).param(barrier).query().singleRow();
                nextSend = now + RESEND.toNanos();
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The live token with this hash: remembered, or read by {@code read} (and remembered if nothing changed meanwhile). */
    Optional<ApiTokens.Live> get(String hash, Supplier<Optional<ApiTokens.Live>> read) {
        Instant now = clock.instant();
        Remembered r = byHash.get(hash);
        if (r != null && r.confirmed) {
            if (listening && now.isBefore(r.until()) && now.isBefore(r.live().token().expiresAt())) {
                return Optional.of(r.live());
            }
            byHash.remove(hash, r);
        }
        long before = generation.get();
        Optional<ApiTokens.Live> live = read.get();
        if (live.isPresent() && listening && !maxAge.isZero()) {
            if (byHash.size() >= maxEntries) {
                byHash.clear(); // rare (more live tokens than entries); the next requests read them again
            }
            Remembered mine = new Remembered(live.get(), now.plus(maxAge));
            byHash.put(hash, mine);
            if (generation.get() != before) {
                // A change was heard while this answer was being read: it may predate the change.
                byHash.remove(hash);
            } else {
                // No change heard before it was in the map: any change heard from now on finds it there and removes it.
                mine.confirmed = true;
            }
        }
        return live;
    }

    /**
     * Forgets one account's tokens now, and again when the transaction under way (this node changing them) commits: a
     * request of the account between the two could have read them as they were. The notification follows on commit.
     */
    void forgetOnCommit(long staffId) {
        forget(staffId);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    forget(staffId);
                }
            });
        }
    }

    private void forget(long staffId) {
        generation.incrementAndGet();
        byHash.values().removeIf(r -> r.live().account().id() == staffId);
    }

    @Override
    public void notified(String payload) {
        if (payload.startsWith(BARRIER)) {
            if (payload.startsWith(barrierPrefix)) {
                barriersHeard.put(payload, Boolean.TRUE);
            }
            return;
        }
        try {
            forget(Long.parseLong(payload));
        } catch (NumberFormatException e) {
            forgetAll();
        }
    }

    @Override
    public void gap(boolean nowListening) {
        listening = false;
        forgetAll();
        listening = nowListening;
    }

    private void forgetAll() {
        generation.incrementAndGet();
        byHash.clear();
    }

    int size() {
        return byHash.size();
    }
}
