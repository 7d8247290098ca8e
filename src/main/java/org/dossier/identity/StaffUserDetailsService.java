package org.dossier.identity;

import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

@Component
class StaffUserDetailsService implements UserDetailsService {

    private final OrganizationService organization;
    private final CredentialRepository credentials;

    StaffUserDetailsService(OrganizationService organization, CredentialRepository credentials) {
        this.organization = organization;
        this.credentials = credentials;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        StaffMember member = organization.staffByUsername(username)
                .orElseThrow(() -> new UsernameNotFoundException("unknown"));
        String hash = credentials.passwordHash(member.id()).orElseThrow(() -> new UsernameNotFoundException("no password"));
        return new StaffPrincipal(member, hash);
    }
}
