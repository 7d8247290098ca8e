package org.dossier.identity;

import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many requests of one token while its account keeps changing (ADR 0037): once this node has heard a change, no request
 * that starts afterwards is answered with what the account was before it — whatever was being read at that moment.
 * The "database" is a version number: a read sees the version committed when it starts and takes a little while.
 */
class LiveTokensRaceTest {

    @Test
    void noRequestStartedAfterAChangeWasHeardIsAnsweredFromBeforeIt() throws Exception {
        LiveTokens tokens = new LiveTokens(Clock.systemUTC(), Duration.ofSeconds(30), 10_000);
        tokens.gap(true);
        AtomicLong committed = new AtomicLong(1);
        AtomicLong heard = new AtomicLong(1);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();

        Runnable request = () -> {
            while (running.get()) {
                long mustSee = heard.get();
                ApiTokens.Live live = tokens.get("stolen", () -> {
                    long version = committed.get();
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
                    return Optional.of(live(version));
                }).orElseThrow();
                requests.incrementAndGet();
                if (live.account().version() < mustSee) {
                    stale.add("saw version " + live.account().version() + " after version " + mustSee + " was heard");
                }
            }
        };
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(request, "request-" + i);
            threads.add(t);
            t.start();
        }
        // Another node changes the account (its transaction commits), then this node hears it, a few thousand times.
        for (int change = 2; change < 3_000; change++) {
            committed.set(change);
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000));
            tokens.notified("7");
            heard.set(change);
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(300_000));
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(requests.get()).isGreaterThan(1_000);
        assertThat(stale).as("answers from before a change this node had heard").isEmpty();
    }

    private static ApiTokens.Live live(long version) {
        Instant now = Instant.now();
        StaffMember account = new StaffMember(7, "user7", "User 7", null, StaffStatus.ACTIVE, Set.of(), Set.of(1), Set.of(),
                (int) version, now, now);
        return new ApiTokens.Live(new ApiTokens.TokenInfo(70, 7, now, now.plusSeconds(3600), null, null, null), account);
    }
}
