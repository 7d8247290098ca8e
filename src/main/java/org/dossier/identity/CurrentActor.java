package org.dossier.identity;

import org.dossier.organization.Actor;
import org.dossier.organization.StaffMember;
import org.springframework.security.core.Authentication;

/** Builds the {@link Actor} of an authenticated request. */
public final class CurrentActor {

    private CurrentActor() {
    }

    /** The actor behind {@code authentication}, or null when the request is not authenticated as staff. */
    public static Actor of(Authentication authentication, String sourceAddress, String userAgent) {
        if (authentication == null || !(authentication.getPrincipal() instanceof StaffPrincipal principal)) {
            return null;
        }
        StaffMember m = principal.member();
        return new Actor(m.id(), m.username(), m.roles(), m.facilityIds(), m.unitIds(), null, sourceAddress,
                userAgent == null ? "" : userAgent);
    }
}
