package org.dossier.organization;

import java.util.Set;

/**
 * A staff member acting now, as established by authentication: who, with which roles, for which
 * facilities and units, and from where. Every service call that reads or changes data takes one.
 */
public record Actor(long staffId, String username, Set<Role> roles, Set<Integer> facilityIds, Set<Integer> unitIds,
                    String sessionId, String sourceAddress, String userAgent) {

    public Actor {
        roles = Set.copyOf(roles);
        facilityIds = Set.copyOf(facilityIds);
        unitIds = Set.copyOf(unitIds);
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
