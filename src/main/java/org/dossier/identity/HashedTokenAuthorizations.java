package org.dossier.identity;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

import java.util.List;

/**
 * Keeps only a SHA-256 of every code and token value of a SMART authorization, as API tokens are kept: a copy of the
 * database yields no code, access or refresh token anyone can use (ADR 0028). The values are long random strings, so an
 * unsalted hash is enough. A presented value is hashed to be looked up; the token it matched is handed back carrying the
 * presented value (the library compares values, e.g. at revocation), every other one stays a hash. A hash stored is never
 * handed to a client: refresh tokens are rotated, not reused ({@code reuseRefreshTokens(false)}).
 */
final class HashedTokenAuthorizations implements OAuth2AuthorizationService {

    /** Marks a stored hash, so that saving an authorization again does not hash it twice (generated values have no ':'). */
    static final String PREFIX = "sha256:";
    private static final OAuth2TokenType STATE = new OAuth2TokenType("state");
    private static final List<Class<? extends OAuth2Token>> KINDS = List.of(OAuth2AuthorizationCode.class, OAuth2AccessToken.class,
            OAuth2RefreshToken.class, OidcIdToken.class);

    private final OAuth2AuthorizationService delegate;

    HashedTokenAuthorizations(OAuth2AuthorizationService delegate) {
        this.delegate = delegate;
    }

    static String hash(String value) {
        return PREFIX + ApiTokens.hash(value);
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        OAuth2Authorization.Builder hashed = OAuth2Authorization.from(authorization);
        for (Class<? extends OAuth2Token> kind : KINDS) {
            OAuth2Authorization.Token<? extends OAuth2Token> token = authorization.getToken(kind);
            if (token != null && !token.getToken().getTokenValue().startsWith(PREFIX)) {
                replace(hashed, token, hash(token.getToken().getTokenValue()));
            }
        }
        delegate.save(hashed.build());
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        delegate.remove(authorization);
    }

    @Override
    public OAuth2Authorization findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        if (token == null) {
            return null;
        }
        if (STATE.equals(tokenType)) {
            // The consent's state is a handle for the signed-in person's own browser, not a credential: kept as it is.
            return delegate.findByToken(token, tokenType);
        }
        String hash = hash(token);
        OAuth2Authorization found = delegate.findByToken(hash, tokenType);
        if (found == null && tokenType == null) {
            found = delegate.findByToken(token, STATE);
        }
        return found == null ? null : presented(found, hash, token);
    }

    /** The authorization with the token whose hash was looked up carrying the value the caller presented. */
    private static OAuth2Authorization presented(OAuth2Authorization authorization, String hash, String value) {
        OAuth2Authorization.Builder builder = OAuth2Authorization.from(authorization);
        for (Class<? extends OAuth2Token> kind : KINDS) {
            OAuth2Authorization.Token<? extends OAuth2Token> token = authorization.getToken(kind);
            if (token != null && hash.equals(token.getToken().getTokenValue())) {
                replace(builder, token, value);
            }
        }
        return builder.build();
    }

    private static void replace(OAuth2Authorization.Builder builder, OAuth2Authorization.Token<? extends OAuth2Token> token, String value) {
        OAuth2Token t = token.getToken();
        OAuth2Token copy;
        if (t instanceof OAuth2AccessToken a) {
            copy = new OAuth2AccessToken(a.getTokenType(), value, a.getIssuedAt(), a.getExpiresAt(), a.getScopes());
        } else if (t instanceof OAuth2RefreshToken r) {
            copy = new OAuth2RefreshToken(value, r.getIssuedAt(), r.getExpiresAt());
        } else if (t instanceof OAuth2AuthorizationCode c) {
            copy = new OAuth2AuthorizationCode(value, c.getIssuedAt(), c.getExpiresAt());
        } else if (t instanceof OidcIdToken i) {
            copy = new OidcIdToken(value, i.getIssuedAt(), i.getExpiresAt(), i.getClaims());
        } else {
            throw new IllegalStateException("unexpected token kind " + t.getClass().getName());
        }
        builder.token(copy, metadata -> {
            metadata.clear();
            metadata.putAll(token.getMetadata());
        });
    }
}
