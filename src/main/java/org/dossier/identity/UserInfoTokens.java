package org.dossier.identity;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.stereotype.Component;

/**
 * How {@code /userinfo} reads the bearer token of a SMART app. The authorization server always sets up its OIDC endpoints
 * as a JWT resource server, but our access tokens are opaque (ADR 0028): this "decoder" looks the value up as {@code /fhir}
 * does ({@link TokenIntrospector}: live, its app enabled, its person active) and hands the endpoint the same value, which
 * it then finds in the stored authorization. No JWT is parsed or trusted here: an id token or a Dossier API token is refused.
 */
@Component
class UserInfoTokens implements JwtDecoder {

    private final TokenIntrospector introspector;

    UserInfoTokens(TokenIntrospector introspector) {
        this.introspector = introspector;
    }

    @Override
    public Jwt decode(String token) {
        TokenPrincipal principal;
        try {
            var found = introspector.introspect(token);
            if (found instanceof PatientAppPrincipal patient) {
                // A patient's app (ADR 0045): the id token named their record (fhirUser), and that is all /userinfo says.
                return Jwt.withTokenValue(token).header("alg", "none").subject(patient.getName())
                        .claim("scope", String.join(" ", patient.app().scopes())).issuedAt(patient.issuedAt()).build();
            }
            principal = found instanceof TokenPrincipal p ? p : null;
        } catch (BadOpaqueTokenException e) {
            throw new BadJwtException("The token is unknown, expired or revoked");
        }
        if (principal == null || principal.app() == null) {
            throw new BadJwtException("Not the access token of an app");
        }
        return Jwt.withTokenValue(token).header("alg", "none").subject(principal.getName())
                .claim("scope", String.join(" ", principal.app().scopes())).issuedAt(principal.issuedAt()).build();
    }
}
