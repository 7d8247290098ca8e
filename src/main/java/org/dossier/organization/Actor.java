package org.dossier.organization;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A staff member acting now, as established by authentication: who, with which roles, for which
 * facilities and units, and from where. Every service call that reads or changes data takes one.
 */
public record Actor(long staffId, String username, Set<Role> roles, Set<Integer> facilityIds, Set<Integer> unitIds,
                    String sessionId, String sourceAddress, String userAgent, Channel channel, Instant secondFactorAt,
                    Long patientScope) {

    /** The request attribute under which the web layer keeps the request's actor once resolved. */
    public static final String REQUEST_ATTRIBUTE = "org.dossier.actor";

    /**
     * The session attribute holding the reason a browser user gave with their last step-up, and when (a
     * {@code String[]{reason, epochMillis}}): a page cannot send the X-Dossier-Reason header, so the reason typed on the
     * step-up page stands for it while the second factor is fresh.
     */
    public static final String STEP_UP_REASON_ATTRIBUTE = "org.dossier.stepUpReason";

    /** A sensitive action needs a second factor used this recently. */
    public static final Duration STEP_UP_FRESHNESS = Duration.ofMinutes(5);

    /** How the request was authenticated: a browser session, an API token, or the server itself (jobs, simulations). */
    public enum Channel { SESSION, TOKEN, SYSTEM }

    public Actor {
        roles = Set.copyOf(roles);
        facilityIds = Set.copyOf(facilityIds);
        unitIds = Set.copyOf(unitIds);
    }

    /** An actor whose reach is the whole of its work (no app narrowing it to one patient). */
    public Actor(long staffId, String username, Set<Role> roles, Set<Integer> facilityIds, Set<Integer> unitIds,
                 String sessionId, String sourceAddress, String userAgent, Channel channel, Instant secondFactorAt) {
        this(staffId, username, roles, facilityIds, unitIds, sessionId, sourceAddress, userAgent, channel, secondFactorAt, null);
    }

    /**
     * The same actor confined to one patient: a SMART app holding {@code patient/} scopes acts for the launch patient only,
     * and the gateway refuses (and audits) any other patient, whatever the person's work would allow. It only narrows.
     */
    public Actor confinedTo(long patientId) {
        if (patientScope != null && patientScope != patientId) {
            // Confining an already confined actor to another patient leaves it no patient at all.
            return new Actor(staffId, username, roles, facilityIds, unitIds, sessionId, sourceAddress, userAgent, channel, secondFactorAt, -1L);
        }
        return new Actor(staffId, username, roles, facilityIds, unitIds, sessionId, sourceAddress, userAgent, channel, secondFactorAt, patientId);
    }

    /** Whether this actor may be answered about this patient at all (always, unless an app confined it to another). */
    public boolean reaches(long patientId) {
        return patientScope == null || patientScope == patientId;
    }

    /** The actor for a staff member as authenticated by {@code channel}. */
    public static Actor of(StaffMember m, String sessionId, String sourceAddress, String userAgent, Channel channel, Instant secondFactorAt) {
        return new Actor(m.id(), m.username(), m.roles(), m.facilityIds(), m.unitIds(), sessionId, sourceAddress,
                userAgent == null ? "" : userAgent, channel, secondFactorAt);
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public boolean hasAnyRole(Role... wanted) {
        for (Role r : wanted) {
            if (roles.contains(r)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses (403, step-up required) unless a second factor was used within {@link #STEP_UP_FRESHNESS}:
     * break-the-glass, exports, account and role changes, unfreezing.
     */
    public void requireFreshSecondFactor(Instant now) {
        if (secondFactorAt == null || secondFactorAt.isBefore(now.minus(STEP_UP_FRESHNESS))) {
            throw new org.dossier.platform.StepUpRequiredException("This action needs a second factor used within the last "
                    + STEP_UP_FRESHNESS.toMinutes() + " minutes: confirm with your passkey or an authenticator code (POST /api/auth/step-up)");
        }
    }

    public boolean worksIn(int facilityId) {
        return facilityIds.contains(facilityId);
    }

    /** Refuses (403) unless the actor holds one of {@code roles}; {@code action} completes "Your role cannot …". */
    public void requireAnyRole(String action, Role... roles) {
        if (!hasAnyRole(roles)) {
            throw new org.dossier.platform.ForbiddenException("Your role cannot " + action);
        }
    }

    /** Refuses (403) unless the actor works in the facility. */
    public void requireFacility(int facilityId) {
        if (!worksIn(facilityId)) {
            throw new org.dossier.platform.ForbiddenException("You do not work in facility " + facilityId);
        }
    }
}
