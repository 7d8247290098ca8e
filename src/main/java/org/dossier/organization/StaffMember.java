package org.dossier.organization;

import java.time.Instant;
import java.util.Set;

/** A staff account as the directory knows it; credentials live in the identity module. */
public record StaffMember(long id, String username, String displayName, String rpps, StaffStatus status,
                          Set<Role> roles, Set<Integer> facilityIds, Set<Integer> unitIds, int version,
                          Instant createdAt, Instant updatedAt) implements java.io.Serializable {

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }
}
