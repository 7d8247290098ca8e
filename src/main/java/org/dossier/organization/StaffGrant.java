package org.dossier.organization;

import java.time.Instant;
import java.util.Set;

/**
 * A change that widens an account — a new account, or a role, facility or unit added to one — waiting for a second
 * administrator: it takes effect only when another administrator than the requester (and than the account itself)
 * approves it with a fresh second factor in a signed-in session. {@code requested} is the whole account as asked for;
 * {@code added*} say what it opens. Decided once (version 1 pending, 2 decided), never deleted.
 */
public record StaffGrant(long id, Kind kind, Long staffId, String username, Integer baseVersion, StaffAccountRequest requested,
                         Set<Role> addedRoles, Set<Integer> addedFacilityIds, Set<Integer> addedUnitIds, String reason,
                         long requestedBy, Instant requestedAt, Status status, Long decidedBy, Instant decidedAt,
                         String decisionNote, int version) {

    public enum Kind { CREATE, CHANGE }

    public enum Status { PENDING, APPROVED, REJECTED }

    /** True when what it grants includes a role that reads patient data, or opens a facility or unit to such an account. */
    public boolean opensPatientData() {
        return requested.roles().stream().anyMatch(Role::readsPatientData);
    }
}
