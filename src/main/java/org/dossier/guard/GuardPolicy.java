package org.dossier.guard;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Every threshold of the guard, in one place (application.yaml, {@code dossier.guard.*}). Two profiles of budgets
 * for patients shown <em>outside</em> the account's work of the day: clinicians (whose work is their care
 * relationships) and the front desk and billing (whose work is today's appointments, stays and queue): both tight,
 * because an ordinary day shows few patients outside one's work (ADR 0018). And one pace for records opened,
 * explained or not. Counts are distinct patients per sliding window;
 * "step-up" asks for a fresh second factor and a reason, "freeze" stops the account.
 */
@Component
class GuardPolicy {

    /** Budgets of one profile: distinct patients in each window before a step-up, and before a freeze. */
    public record Budget(int minuteFreeze, int hourStepUp, int hourFreeze, int dayStepUp, int dayFreeze, int monthFreeze) {
    }

    /**
     * The human pace of records opened, explained or not: distinct patients whose record an account opened (or changed)
     * per minute, 10 minutes and hour, before a step-up and before a freeze. No one reads charts faster than this.
     */
    public record Pace(int minuteStepUp, int minuteFreeze, int tenMinutesStepUp, int tenMinutesFreeze, int hourStepUp, int hourFreeze) {
    }

    private final Pace pace;
    private final int shownPerHourStepUp;
    private final int shownPerHourFreeze;
    private final int repeatedStepUps;
    private final Budget clinician;
    private final Budget administrative;
    private final int refusalsPerMinuteFreeze;
    private final int neighboursPerMinuteFreeze;
    private final int searchesPerMinuteFreeze;

    GuardPolicy(@Value("${dossier.guard.clinician.minute-freeze:12}") int cMinute,
                @Value("${dossier.guard.clinician.hour-step-up:8}") int cHourStep,
                @Value("${dossier.guard.clinician.hour-freeze:15}") int cHourFreeze,
                @Value("${dossier.guard.clinician.day-step-up:12}") int cDayStep,
                @Value("${dossier.guard.clinician.day-freeze:20}") int cDayFreeze,
                @Value("${dossier.guard.clinician.month-freeze:25}") int cMonthFreeze,
                @Value("${dossier.guard.administrative.minute-freeze:12}") int aMinute,
                @Value("${dossier.guard.administrative.hour-step-up:8}") int aHourStep,
                @Value("${dossier.guard.administrative.hour-freeze:15}") int aHourFreeze,
                @Value("${dossier.guard.administrative.day-step-up:12}") int aDayStep,
                @Value("${dossier.guard.administrative.day-freeze:20}") int aDayFreeze,
                @Value("${dossier.guard.administrative.month-freeze:25}") int aMonthFreeze,
                @Value("${dossier.guard.pace.minute-step-up:8}") int pMinuteStep,
                @Value("${dossier.guard.pace.minute-freeze:15}") int pMinuteFreeze,
                @Value("${dossier.guard.pace.ten-minutes-step-up:30}") int pTenStep,
                @Value("${dossier.guard.pace.ten-minutes-freeze:45}") int pTenFreeze,
                @Value("${dossier.guard.pace.hour-step-up:60}") int pHourStep,
                @Value("${dossier.guard.pace.hour-freeze:100}") int pHourFreeze,
                @Value("${dossier.guard.repeated-step-ups:3}") int repeatedStepUps,
                @Value("${dossier.guard.shown-per-hour-step-up:300}") int shownStep,
                @Value("${dossier.guard.shown-per-hour-freeze:600}") int shownFreeze,
                @Value("${dossier.guard.refusals-per-minute-freeze:5}") int refusals,
                @Value("${dossier.guard.neighbours-per-minute-freeze:4}") int neighbours,
                @Value("${dossier.guard.searches-per-minute-freeze:30}") int searches,
                @Value("${dossier.guard.threshold-scale:1}") int scale) {
        if (scale < 1) {
            throw new IllegalArgumentException("dossier.guard.threshold-scale must be 1 or more, not " + scale);
        }
        this.searchesPerMinuteFreeze = scaled(searches, scale);
        // threshold-scale multiplies every threshold: a load test or a shared test server raises it; production keeps 1.
        this.clinician = new Budget(scaled(cMinute, scale), scaled(cHourStep, scale), scaled(cHourFreeze, scale), scaled(cDayStep, scale), scaled(cDayFreeze, scale),
                scaled(cMonthFreeze, scale));
        this.administrative = new Budget(scaled(aMinute, scale), scaled(aHourStep, scale), scaled(aHourFreeze, scale), scaled(aDayStep, scale), scaled(aDayFreeze, scale),
                scaled(aMonthFreeze, scale));
        this.pace = new Pace(scaled(pMinuteStep, scale), scaled(pMinuteFreeze, scale), scaled(pTenStep, scale), scaled(pTenFreeze, scale),
                scaled(pHourStep, scale), scaled(pHourFreeze, scale));
        this.repeatedStepUps = repeatedStepUps;
        this.shownPerHourStepUp = scaled(shownStep, scale);
        this.shownPerHourFreeze = scaled(shownFreeze, scale);
        this.refusalsPerMinuteFreeze = scaled(refusals, scale);
        this.neighboursPerMinuteFreeze = scaled(neighbours, scale);
    }

    /** A threshold times the scale, saturating: a large scale must raise thresholds, never overflow them into freezes. */
    private static int scaled(int threshold, int scale) {
        long value = (long) threshold * scale;
        return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
    }

    public Budget clinician() {
        return clinician;
    }

    public Budget administrative() {
        return administrative;
    }

    public Pace pace() {
        return pace;
    }

    /**
     * Distinct patients shown to one account in an hour by any answer, lists included, explained or not, before a step-up:
     * a desk's busiest hour of agendas and arrivals names a few hundred at most; a harvest of every list names thousands.
     */
    public int shownPerHourStepUp() {
        return shownPerHourStepUp;
    }

    /** The same count before a freeze. */
    public int shownPerHourFreeze() {
        return shownPerHourFreeze;
    }

    /** Step-ups of one account within an hour that raise the alert's severity from LOW to MEDIUM. */
    public int repeatedStepUps() {
        return repeatedStepUps;
    }

    /** Refused attempts (no relationship, not found, role, step-up unanswered) in one minute before a freeze: probing. */
    public int refusalsPerMinuteFreeze() {
        return refusalsPerMinuteFreeze;
    }

    /** Searches in one minute, whatever they return, before a freeze: nobody types thirty queries a minute. */
    public int searchesPerMinuteFreeze() {
        return searchesPerMinuteFreeze;
    }

    /** Records opened in one minute whose ids lie within 5 of another one's: walking identifiers. */
    public int neighboursPerMinuteFreeze() {
        return neighboursPerMinuteFreeze;
    }
}
