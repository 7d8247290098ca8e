package org.dossier.identity;

import org.dossier.organization.StaffMember;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/** The owner of a live API token or SMART app access token, as the bearer-token filter authenticates it. */
final class TokenPrincipal implements OAuth2AuthenticatedPrincipal {

    private final StaffMember member;
    private final long tokenId;
    private final Instant issuedAt;
    private final Collection<GrantedAuthority> authorities;
    private final AppGrant app;

    TokenPrincipal(StaffMember member, long tokenId, Instant issuedAt, Collection<GrantedAuthority> authorities) {
        this(member, tokenId, issuedAt, authorities, null);
    }

    TokenPrincipal(StaffMember member, long tokenId, Instant issuedAt, Collection<GrantedAuthority> authorities, AppGrant app) {
        this.member = member;
        this.tokenId = tokenId;
        this.issuedAt = issuedAt;
        this.authorities = authorities;
        this.app = app;
    }

    /** The SMART app the token was issued to, or null for an API token. */
    AppGrant app() {
        return app;
    }

    StaffMember member() {
        return member;
    }

    long tokenId() {
        return tokenId;
    }

    Instant issuedAt() {
        return issuedAt;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return app == null ? Map.of("staff_id", member.id(), "token_id", tokenId)
                : Map.of("staff_id", member.id(), "client_id", app.clientId(), "scope", String.join(" ", app.scopes()));
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return authorities;
    }

    @Override
    public String getName() {
        return member.username();
    }
}
