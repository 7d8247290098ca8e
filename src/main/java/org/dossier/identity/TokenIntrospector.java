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
    private final SmartTokens smart;
    private final org.springframework.beans.factory.ObjectProvider<PatientSignIns> patients;

    TokenIntrospector(ApiTokens tokens, OrganizationService organization, SmartTokens smart,
                      org.springframework.beans.factory.ObjectProvider<PatientSignIns> patients) {
        this.tokens = tokens;
        this.organization = organization;
        this.smart = smart;
        this.patients = patients;
    }

    @Override
    public OAuth2AuthenticatedPrincipal introspect(String token) {
        if (token != null && !token.startsWith(ApiTokens.PREFIX)) {
            // Not one of ours: perhaps the access token of a SMART app, which gets the same checks and narrower rights.
            SmartTokens.Live live = smart.live(token).orElseThrow(() -> new BadOpaqueTokenException("Invalid or expired token"));
            if (live.portalAccount() != null) {
                return patient(live);
            }
            return principal(live.staffId(), 0, live.issuedAt(), live.grant());
        }
        // The token and its account in one round trip (issue 21).
        ApiTokens.Live live = tokens.liveWithAccount(token).orElseThrow(() -> new BadOpaqueTokenException("Invalid or expired token"));
        return principal(live.account(), live.token().id(), live.token().issuedAt(), null);
    }

    /**
     * A patient's app token: its portal account read again now (still the patient's active account, no code issued at
     * the desk since the token's authorization began), and the launch patient its own record, or no principal at all.
     */
    private PatientAppPrincipal patient(SmartTokens.Live live) {
        PatientSignIns signIns = patients.getIfAvailable();
        PatientSignIns.Holder holder = signIns == null ? null : signIns.live(live.portalAccount(), live.portalSince()).orElse(null);
        if (holder == null || live.grant().patientId() == null || live.grant().patientId() != holder.patientId()) {
            throw new BadOpaqueTokenException("Invalid or expired token");
        }
        return new PatientAppPrincipal(holder, live.issuedAt(), live.grant());
    }

    private TokenPrincipal principal(long staffId, long tokenId, java.time.Instant issuedAt, AppGrant app) {
        return principal(organization.staffMember(staffId), tokenId, issuedAt, app);
    }

    private TokenPrincipal principal(StaffMember member, long tokenId, java.time.Instant issuedAt, AppGrant app) {
        if (member.status() != StaffStatus.ACTIVE) {
            throw new BadOpaqueTokenException("Invalid or expired token");
        }
        List<GrantedAuthority> authorities = new ArrayList<>();
        member.roles().forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r.name())));
        // The token was issued against a password and a TOTP code: it is a multi-factor credential.
        authorities.add(new SimpleGrantedAuthority(TOKEN_FACTOR));
        return new TokenPrincipal(member, tokenId, issuedAt, authorities, app);
    }
}
