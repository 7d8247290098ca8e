package org.dossier.identity;

import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a bearer token against the database on every request, so that a revoked token, a suspended
 * or frozen account, or a changed role takes effect at once on every server node.
 */
@Component
class TokenIntrospector implements OpaqueTokenIntrospector {

    static final String TOKEN_FACTOR = "FACTOR_API_TOKEN";

    private final ApiTokens tokens;
    private final OrganizationService organization;

    TokenIntrospector(ApiTokens tokens, OrganizationService organization) {
        this.tokens = tokens;
        this.organization = organization;
    }

    @Override
    public OAuth2AuthenticatedPrincipal introspect(String token) {
        ApiTokens.TokenInfo info = tokens.live(token).orElseThrow(() -> new BadOpaqueTokenException("Invalid or expired token"));
        StaffMember member = organization.staffMember(info.staffId());
        if (member.status() != StaffStatus.ACTIVE) {
            throw new BadOpaqueTokenException("Invalid or expired token");
        }
        List<GrantedAuthority> authorities = new ArrayList<>();
        member.roles().forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r.name())));
        // The token was issued against a password and a TOTP code: it is a multi-factor credential.
        authorities.add(new SimpleGrantedAuthority(TOKEN_FACTOR));
        return new TokenPrincipal(member, info.id(), info.issuedAt(), authorities);
    }
}
