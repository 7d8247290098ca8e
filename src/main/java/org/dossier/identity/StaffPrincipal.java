package org.dossier.identity;

import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

import java.util.Collection;
import java.util.List;

/** An authenticated staff member as Spring Security holds it. */
final class StaffPrincipal implements UserDetails {

    private final StaffMember member;
    private final String passwordHash;

    StaffPrincipal(StaffMember member, String passwordHash) {
        this.member = member;
        this.passwordHash = passwordHash;
    }

    public StaffMember member() {
        return member;
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        List<GrantedAuthority> authorities = new java.util.ArrayList<>();
        member.roles().forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r.name())));
        return authorities;
    }

    @Override
    public String getPassword() {
        return passwordHash;
    }

    @Override
    public String getUsername() {
        return member.username();
    }

    @Override
    public boolean isEnabled() {
        return member.status() == StaffStatus.ACTIVE;
    }
}
