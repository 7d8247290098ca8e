package org.dossier.guard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard's budget arithmetic as a table, without Spring or a database: what a charge counted (this request included)
 * against the thresholds -> allow, step-up or freeze, and the signal. Freezes are weighed before step-ups, and in the
 * order canary, enumeration, unexplained budget, pace, volume; then step-ups: unexplained rate, pace, volume, new address.
 * <p>
 * Thresholds (a step-up or freeze once a count goes past them; walking identifiers freezes when it reaches its own):
 * clinician budget 12/min freeze, 8/h step-up, 15/h freeze, 12/day step-up, 20/day freeze, 25/month freeze; the front
 * desk's here tighter, 6, 4, 8, 6, 10, 12; pace of records opened 8 and 15 a minute, 30 and 45 in ten minutes, 60 and
 * 100 an hour; 300 and 600 patients shown an hour; 4 neighbours a minute.
 * <p>
 * Columns: profile | unexplained distinct patients per minute, hour, day, month | neighbours opened this minute |
 * records opened per minute, ten minutes, hour | patients shown this hour | canary touched | first address of the
 * session (SAME as now, OTHER) || response (ALLOW, STEP_UP, FREEZE) | signal.
 */
class GuardBudgetTest {

    private static final GuardPolicy POLICY = new GuardPolicy(12, 8, 15, 12, 20, 25, 6, 4, 8, 6, 10, 12,
            8, 15, 30, 45, 60, 100, 3, 300, 600, 5, 4, 30, 1);

    @ParameterizedTest(name = "{index}: {0} unexplained {1}/{2}/{3}/{4} neighbours {5} opened {6}/{7}/{8} shown {9} canary {10} address {11} -> {12} {13}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # profile      | u.min | u.hour | u.day | u.month | neighbours | o.min | o.10min | o.hour | shown | canary | address || response | signal
            # an ordinary day, up to every threshold
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | ALLOW    | -
            clinician      | 12    | 8      | 12    | 25      | 3          | 8     | 30      | 60     | 300   | false  | SAME    | ALLOW    | -
            administrative | 6     | 4      | 6     | 12      | 3          | 8     | 30      | 60     | 300   | false  | SAME    | ALLOW    | -
            # freezes, first match wins
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | true   | -       | FREEZE   | CANARY
            clinician      | 99    | 99     | 99    | 99      | 9          | 99    | 99      | 999    | 999   | true   | OTHER   | FREEZE   | CANARY
            clinician      | 0     | 0      | 0     | 0       | 4          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | ENUMERATION
            clinician      | 13    | 0      | 0     | 0       | 4          | 16    | 0       | 0      | 0     | false  | -       | FREEZE   | ENUMERATION
            clinician      | 13    | 0      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            clinician      | 0     | 16     | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            clinician      | 0     | 0      | 21    | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            clinician      | 0     | 0      | 0     | 26      | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            clinician      | 0     | 16     | 0     | 0       | 0          | 16    | 0       | 0      | 601   | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            clinician      | 0     | 0      | 0     | 0       | 0          | 16    | 0       | 0      | 0     | false  | -       | FREEZE   | PACE
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 46      | 0      | 0     | false  | -       | FREEZE   | PACE
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 0       | 101    | 0     | false  | -       | FREEZE   | PACE
            clinician      | 0     | 9      | 0     | 0       | 0          | 16    | 0       | 0      | 0     | false  | -       | FREEZE   | PACE
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 0       | 0      | 601   | false  | -       | FREEZE   | VOLUME
            clinician      | 0     | 9      | 0     | 0       | 0          | 0     | 0       | 0      | 601   | false  | OTHER   | FREEZE   | VOLUME
            # step-ups, first match wins
            clinician      | 0     | 9      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | STEP_UP  | UNEXPLAINED_RATE
            clinician      | 0     | 0      | 13    | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | STEP_UP  | UNEXPLAINED_RATE
            clinician      | 0     | 9      | 0     | 0       | 0          | 9     | 0       | 0      | 301   | false  | OTHER   | STEP_UP  | UNEXPLAINED_RATE
            clinician      | 0     | 0      | 0     | 0       | 0          | 9     | 0       | 0      | 0     | false  | -       | STEP_UP  | PACE
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 31      | 0      | 0     | false  | -       | STEP_UP  | PACE
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 0       | 61     | 301   | false  | -       | STEP_UP  | PACE
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 0       | 0      | 301   | false  | OTHER   | STEP_UP  | VOLUME
            clinician      | 0     | 0      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | OTHER   | STEP_UP  | NEW_ADDRESS
            # the front desk's own budgets
            administrative | 0     | 5      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | STEP_UP  | UNEXPLAINED_RATE
            clinician      | 0     | 5      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | ALLOW    | -
            administrative | 0     | 0      | 7     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | STEP_UP  | UNEXPLAINED_RATE
            administrative | 7     | 0      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            administrative | 0     | 9      | 0     | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            administrative | 0     | 0      | 11    | 0       | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            administrative | 0     | 0      | 0     | 13      | 0          | 0     | 0       | 0      | 0     | false  | -       | FREEZE   | UNEXPLAINED_BUDGET
            """)
    void judges(String profile, long uMinute, long uHour, long uDay, long uMonth, long neighbours, long oMinute, long oTen, long oHour,
                long shown, boolean canary, String address, String response, GuardSignal signal) {
        GuardBudget.Tally tally = new GuardBudget.Tally(canary ? List.of(42L) : List.of(),
                address == null ? null : address.equals("SAME") ? "10.0.0.1" : "10.0.0.9",
                new GuardBudget.Unexplained(uMinute, uHour, uDay, uMonth), new GuardBudget.Opened(oMinute, oTen, oHour), neighbours, shown);

        GuardBudget.Verdict verdict = GuardBudget.judge(POLICY, request(profile.equals("clinician")), tally);

        assertThat(verdict.response() == null ? "ALLOW" : verdict.response().name()).isEqualTo(response);
        assertThat(verdict.signal()).isEqualTo(signal);
    }

    @Test
    void theEvidenceShowsTheRequestTheWindowsAndTheThresholdsWeighed() {
        GuardBudget.Tally tally = new GuardBudget.Tally(List.of(), null, new GuardBudget.Unexplained(1, 9, 10, 11),
                new GuardBudget.Opened(2, 3, 4), 1, 50);

        GuardBudget.Verdict verdict = GuardBudget.judge(POLICY, request(true), tally);

        assertThat(verdict.evidence()).containsEntry("kind", "OPEN").containsEntry("patientsInRequest", 1)
                .containsEntry("distinctUnexplained", Map.of("minute", 1L, "hour", 9L, "day", 10L, "month", 11L))
                .containsEntry("recordsOpened", Map.of("minute", 2L, "tenMinutes", 3L, "hour", 4L))
                .containsEntry("patientsShownLastHour", 50L).containsEntry("neighboursLastMinute", 1L)
                .containsEntry("profile", "clinician").containsEntry("budget", POLICY.clinician()).containsEntry("pace", POLICY.pace());
    }

    @Test
    void aCanaryIsNamedWithTheRequestAlone() {
        GuardBudget.Tally tally = new GuardBudget.Tally(List.of(42L), null, new GuardBudget.Unexplained(0, 0, 0, 0),
                new GuardBudget.Opened(0, 0, 0), 0, 0);

        assertThat(GuardBudget.judge(POLICY, request(false), tally).evidence())
                .isEqualTo(Map.of("canaries", List.of(42L), "kind", "OPEN", "patientsInRequest", 1));
    }

    private static GuardBudget.Request request(boolean clinician) {
        return new GuardBudget.Request(Guard.Kind.OPEN, 1, clinician, "10.0.0.1");
    }
}
