package org.dossier.organization;

/**
 * What an administrator's create or change request became: applied at once ({@code account}) when it widens nothing,
 * or a {@code pendingGrant} waiting for a second administrator.
 */
public record StaffChange(StaffMember account, StaffGrant pendingGrant) {

    public boolean isPending() {
        return pendingGrant != null;
    }
}
