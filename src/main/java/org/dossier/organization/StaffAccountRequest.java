package org.dossier.organization;

import java.util.Set;

/** What an administrator fills in to create or change an account. */
public record StaffAccountRequest(String username, String displayName, String rpps, Set<Role> roles,
                                  Set<Integer> facilityIds, Set<Integer> unitIds, String reason) {

    public StaffAccountRequest {
        roles = roles == null ? Set.of() : roles;
        facilityIds = facilityIds == null ? Set.of() : facilityIds;
        unitIds = unitIds == null ? Set.of() : unitIds;
    }
}
