package org.dossier.guard;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard counts to the second (V43): an attacker who re-reads patients within the second, repeats them in one list,
 * alternates explained and unexplained reads or reads from a node whose clock is ahead or behind, must not make the
 * windows count fewer patients than were really shown in them, beyond the one second the rule allows (plus the clocks'
 * skew, as before V43): every window's count lies between the exact counts of the window shortened by that and of the
 * whole window.
 */
class GuardSecondAttackTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    @Test
    void sameSecondRereadsDuplicatesAlternationAndSkewHideNoPatient() {
        long staff = fixtures().staffId(Accounts.newStaff(as("admin"), credentials, "FRONT_DESK", 1, null));
        Random random = new Random(20261207);
        Instant real = Instant.parse("2026-04-01T10:00:00.000Z");
        Map<Long, Instant> lastShown = new HashMap<>(); // the truth: each patient's latest instant shown (any node's clock)
        Set<Long> unexplained = new HashSet<>();
        for (int i = 0; i < 1_500; i++) {
            // Mostly a few milliseconds apart (many reads in each second), sometimes a few seconds or a minute.
            real = real.plusMillis(random.nextInt(10) == 0 ? random.nextInt(70_000) : random.nextInt(150));
            // Two nodes: one on time, one 700 ms ahead or behind (the request carries its node's clock).
            Instant at = random.nextBoolean() ? real : real.plusMillis(random.nextBoolean() ? 700 : -700);
            int size = 1 + random.nextInt(4);
            Long[] patients = new Long[size];
            Boolean[] flags = new Boolean[size];
            for (int k = 0; k < size; k++) {
                // 12 patients, so the same ones come back within the second, in the same list too.
                patients[k] = 900_300_000L + random.nextInt(12);
                flags[k] = random.nextBoolean();
            }
            long[] charged = charge(staff, at, patients, flags);
            for (int k = 0; k < size; k++) {
                lastShown.merge(patients[k], at, (a, b) -> a.isAfter(b) ? a : b);
                if (flags[k]) {
                    unexplained.add(patients[k]);
                }
            }
            Duration[] windows = {Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(30)};
            for (int w = 0; w < windows.length; w++) {
                Instant start = at.minus(windows[w]);
                long atMost = exact(lastShown, unexplained, start);
                // One second for the rule; 1.4 s for the two clocks 1.4 s apart (a flip written by the node behind moves the touch
                // back to its own clock, as before V43).
                long atLeast = exact(lastShown, unexplained, start.plusMillis(2_400));
                assertThat(charged[w]).as("request %d at %s, window %s", i, at, windows[w]).isBetween(atLeast, atMost);
            }
        }
    }

    /** Unexplained patients last shown after {@code start}, from the true history. */
    private static long exact(Map<Long, Instant> lastShown, Set<Long> unexplained, Instant start) {
        return lastShown.entrySet().stream().filter(e -> unexplained.contains(e.getKey()) && e.getValue().isAfter(start)).count();
    }

    private long[] charge(long staff, Instant at, Long[] patients, Boolean[] unexplained) {
        Integer[] facilities = java.util.Collections.nCopies(patients.length, 1).toArray(Integer[]::new);
        return jdbc.sql("""
                        select minute, hour, day, month from guard_charge(?, null, null, ?, cast(? as bigint[]), cast(? as int[]),
                               cast(? as boolean[]), -1, ?, ?, ?, ?, 'SEARCH', ?)""")
                .param(staff).param(Timestamp.from(at)).param(patients).param(facilities).param(unexplained)
                .param(Timestamp.from(at.minus(Duration.ofMinutes(1)))).param(Timestamp.from(at.minus(Duration.ofHours(1))))
                .param(Timestamp.from(at.minus(Duration.ofDays(1)))).param(Timestamp.from(at.minus(Duration.ofDays(30))))
                .param(Timestamp.from(at.minus(Duration.ofMinutes(10))))
                .query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)}).single();
    }
}
