package org.dossier.guard;

import java.util.List;
import java.util.Map;

/**
 * The guard's arithmetic, and nothing else: what the request's charge counted (guard_charge), weighed against the
 * thresholds of {@link GuardPolicy} -> allow, step-up or freeze, with the signal that decided and what was seen. Counting,
 * freezing and asking for the step-up stay in {@link Guard}; here is only what decides, tested as a table (GuardBudgetTest).
 */
final class GuardBudget {

    private GuardBudget() {
    }

    /** The request being charged: how it shows its patients, how many, to which profile, from which address. */
    record Request(Guard.Kind kind, int patients, boolean clinician, String sourceAddress) {
    }

    /** Distinct patients shown outside the account's work of the day, per window. */
    record Unexplained(long minute, long hour, long day, long month) {
    }

    /** Distinct patients whose record the account opened or changed, explained or not, per window. */
    record Opened(long minute, long tenMinutes, long hour) {
    }

    /**
     * What the charge counted, this request included: the canaries among its patients, the first address of the session (or
     * null), the windows, records opened near another one's identifier in the last minute, and every patient shown in the hour.
     */
    record Tally(List<Long> canaries, String firstAddress, Unexplained unexplained, Opened opened, long neighboursLastMinute,
                 long shownLastHour) {
    }

    /** A verdict of one evaluation: no response (allow), or the response, the signal and what was seen. */
    record Verdict(GuardException.Response response, GuardSignal signal, Map<String, Object> evidence) {
        static final Verdict ALLOW = new Verdict(null, null, Map.of());
    }

    static Verdict judge(GuardPolicy policy, Request request, Tally tally) {
        if (!tally.canaries().isEmpty()) {
            return new Verdict(GuardException.Response.FREEZE, GuardSignal.CANARY, Map.of("canaries", tally.canaries(),
                    "kind", request.kind().name(), "patientsInRequest", request.patients()));
        }
        GuardPolicy.Budget budget = request.clinician() ? policy.clinician() : policy.administrative();
        Map<String, Object> evidence = evidence(policy, request, tally, budget);
        GuardSignal freeze = freeze(policy, tally, budget);
        if (freeze != null) {
            return new Verdict(GuardException.Response.FREEZE, freeze, evidence);
        }
        GuardSignal stepUp = stepUp(policy, tally, budget);
        if (stepUp == null && tally.firstAddress() != null && !tally.firstAddress().equals(request.sourceAddress())) {
            // A session or token first used from one address and now from another: the step-up proves the same person.
            stepUp = GuardSignal.NEW_ADDRESS;
        }
        return stepUp == null ? Verdict.ALLOW : new Verdict(GuardException.Response.STEP_UP, stepUp, evidence);
    }

    /** The signal that freezes the account, or null. */
    private static GuardSignal freeze(GuardPolicy policy, Tally tally, GuardPolicy.Budget budget) {
        Unexplained u = tally.unexplained();
        Opened o = tally.opened();
        GuardPolicy.Pace pace = policy.pace();
        if (tally.neighboursLastMinute() >= policy.neighboursPerMinuteFreeze()) {
            return GuardSignal.ENUMERATION;
        }
        if (u.minute() > budget.minuteFreeze() || u.hour() > budget.hourFreeze() || u.day() > budget.dayFreeze()
                || u.month() > budget.monthFreeze()) {
            return GuardSignal.UNEXPLAINED_BUDGET;
        }
        // Reading even one's own patients faster than anyone reads charts is a harvest, not work.
        if (o.minute() > pace.minuteFreeze() || o.tenMinutes() > pace.tenMinutesFreeze() || o.hour() > pace.hourFreeze()) {
            return GuardSignal.PACE;
        }
        return tally.shownLastHour() > policy.shownPerHourFreeze() ? GuardSignal.VOLUME : null;
    }

    /** The signal that asks for a step-up by the counts alone, or null. */
    private static GuardSignal stepUp(GuardPolicy policy, Tally tally, GuardPolicy.Budget budget) {
        Unexplained u = tally.unexplained();
        Opened o = tally.opened();
        GuardPolicy.Pace pace = policy.pace();
        if (u.hour() > budget.hourStepUp() || u.day() > budget.dayStepUp()) {
            return GuardSignal.UNEXPLAINED_RATE;
        }
        if (o.minute() > pace.minuteStepUp() || o.tenMinutes() > pace.tenMinutesStepUp() || o.hour() > pace.hourStepUp()) {
            return GuardSignal.PACE;
        }
        return tally.shownLastHour() > policy.shownPerHourStepUp() ? GuardSignal.VOLUME : null;
    }

    /** What the alert shows of the request and the windows, as the guard has always written it. */
    private static Map<String, Object> evidence(GuardPolicy policy, Request request, Tally tally, GuardPolicy.Budget budget) {
        Unexplained u = tally.unexplained();
        Opened o = tally.opened();
        return Map.of("kind", request.kind().name(), "patientsInRequest", request.patients(),
                "distinctUnexplained", Map.of("minute", u.minute(), "hour", u.hour(), "day", u.day(), "month", u.month()),
                "recordsOpened", Map.of("minute", o.minute(), "tenMinutes", o.tenMinutes(), "hour", o.hour()),
                "patientsShownLastHour", tally.shownLastHour(),
                "neighboursLastMinute", tally.neighboursLastMinute(), "profile", request.clinician() ? "clinician" : "administrative",
                "budget", budget, "pace", policy.pace());
    }
}
