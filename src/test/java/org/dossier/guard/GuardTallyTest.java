package org.dossier.guard;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard's window counts come from hourly tallies plus the partial hour where a window starts (migration V19):
 * they must equal, after any sequence of touches, the count of the account's patients last shown unexplained in
 * each window — the definition the guard's thresholds are written against.
 */
class GuardTallyTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    @Test
    void theTalliedWindowCountsEqualTheCountsOfTheTouchesThemselves() {
        long staff = fixtures().staffId(Accounts.newStaff(as("admin"), credentials, "FRONT_DESK", 1, null));
        Random random = new Random(20241122);
        Instant now = Instant.parse("2026-01-05T08:17:23Z");
        for (int i = 0; i < 700; i++) {
            // Steps from seconds to half a day: windows of every size start in every kind of partial second, minute and
            // hour, and 320 patients are shown again and again, moving from one tally to another. Past 200 unexplained
            // patients in the month the counts come from the tallies (below that, from the rows themselves).
            now = now.plusSeconds(random.nextInt(4) == 0 ? random.nextInt(12 * 3600) : random.nextInt(600));
            int size = 1 + random.nextInt(3);
            Long[] patients = new Long[size];
            Boolean[] unexplained = new Boolean[size];
            for (int k = 0; k < size; k++) {
                patients[k] = 900_000_000L + random.nextInt(320);
                unexplained[k] = random.nextInt(3) > 0;
            }
            if (i == 500 || i == 600) {
                // An unfreeze restarts the counting: windows start at the later of their start and this instant, which
                // can make a day's window start half an hour or half a minute ago.
                jdbc.sql("insert into guard_state (staff_id, counting_since) values (?, ?)"
                        + " on conflict (staff_id) do update set counting_since = excluded.counting_since")
                        .param(staff).param(Timestamp.from(now.minusSeconds(i == 250 ? 1800 : 30))).update();
            }
            long[] tallied = charge(staff, now, patients, unexplained);
            long[] counted = counted(staff, now);
            assertThat(tallied).as("touch %d at %s", i, now).containsExactly(counted);
        }
        assertThat(jdbc.sql("select count(*) from guard_tally where staff_id = ?").param(staff).query(Long.class).single())
                .as("the tallies were used: several hours hold some").isGreaterThan(10);
    }

    @Test
    void concurrentChargesShowingTheSamePatientsKeepTheTalliesExact() throws Exception {
        long staff = fixtures().staffId(Accounts.newStaff(as("admin"), credentials, "FRONT_DESK", 1, null));
        Instant base = Instant.parse("2026-02-10T09:41:07Z");
        int threads = 8;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Random random = new Random(t);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        // Six patients shown by eight callers at once, at instants spread over two hours, in any order.
                        Instant at = base.plusSeconds(random.nextInt(7200));
                        Long[] patients = {900_100_000L + random.nextInt(6), 900_100_000L + random.nextInt(6)};
                        charge(staff, at, patients, new Boolean[]{random.nextBoolean(), random.nextBoolean()});
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Instant end = base.plusSeconds(7200);
        assertThat(charge(staff, end, new Long[0], new Boolean[0])).containsExactly(counted(staff, end));
        assertThat(jdbc.sql("select coalesce(sum(unexplained), 0) from guard_tally where staff_id = ? and span = 3600")
                .param(staff).query(Long.class).single())
                .as("every hour tally together: each unexplained patient once")
                .isEqualTo(jdbc.sql("select count(*) from guard_touch where staff_id = ? and unexplained").param(staff).query(Long.class).single());
    }

    @Test
    void aPatientShownAgainWithinTheSecondIsNotWrittenAgainUnlessSomethingChanges() {
        long staff = fixtures().staffId(Accounts.newStaff(as("admin"), credentials, "FRONT_DESK", 1, null));
        Instant at = Instant.parse("2026-03-02T10:15:30.100Z");
        Long[] patient = {900_200_001L};
        charge(staff, at, patient, new Boolean[]{false});
        String first = version(staff, patient[0]);

        // The same patient, explained again, 0.8 s later: no count can differ, so no new row version (the write, its index
        // entries and its lock were the guard's cost under load).
        charge(staff, at.plusMillis(800), patient, new Boolean[]{false});
        assertThat(version(staff, patient[0])).as("the row is left as it was").isEqualTo(first);

        // Within the same second, but now unexplained: the count changes, so the row does, and the tallies follow.
        assertThat(charge(staff, at.plusMillis(900), patient, new Boolean[]{true})).containsExactly(1, 1, 1, 1);
        String flipped = version(staff, patient[0]);
        assertThat(flipped).as("an access that becomes unexplained is written at once").isNotEqualTo(first);
        assertThat(jdbc.sql("select last_at from guard_touch where staff_id = ? and patient_id = ?").param(staff).param(patient[0])
                .query(Timestamp.class).single().toInstant()).isEqualTo(at.plusMillis(900));

        // A second after: the windows move, so the row does.
        charge(staff, at.plusMillis(1_950), patient, new Boolean[]{true});
        assertThat(version(staff, patient[0])).as("a second later the touch moves").isNotEqualTo(flipped);
        assertThat(charge(staff, at.plusSeconds(61), new Long[0], new Boolean[0])).as("still shown in the last minute")
                .containsExactly(counted(staff, at.plusSeconds(61)));
        assertThat(counted(staff, at.plusSeconds(61))[0]).isEqualTo(1);
    }

    /** A row's physical version: it changes with every write of the row. */
    private String version(long staff, long patient) {
        return jdbc.sql("select ctid::text || '/' || xmin::text from guard_touch where staff_id = ? and patient_id = ?")
                .param(staff).param(patient).query(String.class).single();
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

    /** The definition: the account's patients last shown unexplained in each window (after the counting restarted). */
    private long[] counted(long staff, Instant at) {
        return jdbc.sql("""
                        select count(*) filter (where last_at > greatest(cast(:minute as timestamptz), s.since)),
                               count(*) filter (where last_at > greatest(cast(:hour as timestamptz), s.since)),
                               count(*) filter (where last_at > greatest(cast(:day as timestamptz), s.since)),
                               count(*) filter (where last_at > greatest(cast(:month as timestamptz), s.since))
                          from guard_touch t,
                               (select coalesce((select counting_since from guard_state where staff_id = :s), '-infinity') as since) s
                         where t.staff_id = :s and t.unexplained""")
                .param("s", staff).param("minute", Timestamp.from(at.minus(Duration.ofMinutes(1))))
                .param("hour", Timestamp.from(at.minus(Duration.ofHours(1)))).param("day", Timestamp.from(at.minus(Duration.ofDays(1))))
                .param("month", Timestamp.from(at.minus(Duration.ofDays(30))))
                .query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)}).single();
    }
}
