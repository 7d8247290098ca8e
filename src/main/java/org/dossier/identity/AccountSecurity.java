package org.dossier.identity;

import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffAccountChanged;
import org.dossier.organization.StaffMember;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Ends all access of an account at once: every session, every API token and every SMART app's tokens. Called when an account is
 * suspended, frozen or changed, by an administrator or security officer, and by the exfiltration guard.
 */
@Service
class AccountSecurity {

    private final SessionRegistry sessions;
    private final ApiTokens tokens;
    private final OrganizationService organization;
    private final SecurityEvents events;
    private final SmartTokens apps;

    AccountSecurity(SessionRegistry sessions, ApiTokens tokens, OrganizationService organization, SecurityEvents events, SmartTokens apps) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.apps = apps;
        this.organization = organization;
        this.events = events;
    }

    /** Revokes every session and token of the account; returns how many were live. */
    @Transactional
    public int revokeEverything(long staffId, Long byStaffId, String reason) {
        StaffMember member = organization.staffMember(staffId);
        // The SMART apps' authorizations go too: their access and refresh tokens stop at once (ADR 0028).
        int count = sessions.revokeAll(staffId, member.username(), byStaffId) + tokens.revokeAll(staffId, byStaffId)
                + apps.revokeAll(member.username());
        events.publish(SecurityEvent.Type.ALL_SESSIONS_REVOKED, staffId, member.username(), null, reason + " (" + count + " revoked)");
        return count;
    }

    /** Any change to an account (status, roles, facilities, units) ends its sessions: the next sign-in gets the new rights. */
    @EventListener
    void onAccountChanged(StaffAccountChanged change) {
        if (change.version() > 1) {
            revokeEverything(change.staffId(), change.authorId(), "account changed: " + change.reason());
        }
    }
}
