package org.dossier.identity;

import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/** Staff accounts for Spring Security; an account without a password yet (enrolment pending) never matches one. */
@Component
class StaffUserDetailsService implements UserDetailsService {

    /** Matches no password: Argon2 refuses anything that is not an Argon2 hash. */
    static final String NO_PASSWORD = "!";

    private final OrganizationService organization;
    private final CredentialRepository credentials;

    StaffUserDetailsService(OrganizationService organization, CredentialRepository credentials) {
        this.organization = organization;
        this.credentials = credentials;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        StaffMember member = organization.staffByUsername(username == null ? "" : username.strip())
                .orElseThrow(() -> new UsernameNotFoundException("unknown"));
        return new StaffPrincipal(member, credentials.passwordHash(member.id()).orElse(NO_PASSWORD));
    }
}
