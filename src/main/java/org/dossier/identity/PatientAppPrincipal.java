package org.dossier.identity;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The holder of a patient's app token (ADR 0045): a patient's portal account, never a staff member. Its authorities are
 * the role PATIENT and the token factor; the staff chain lets it reach {@code /fhir} only, where it acts as the patient on
 * their own record ({@link ActorResolver}).
 */
final class PatientAppPrincipal implements OAuth2AuthenticatedPrincipal {

    private final PatientSignIns.Holder holder;
    private final Instant issuedAt;
    private final AppGrant app;

    PatientAppPrincipal(PatientSignIns.Holder holder, Instant issuedAt, AppGrant app) {
        this.holder = holder;
        this.issuedAt = issuedAt;
        this.app = app;
    }

    PatientSignIns.Holder holder() {
        return holder;
    }

    Instant issuedAt() {
        return issuedAt;
    }

    AppGrant app() {
        return app;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return Map.of("portal_account", holder.accountId(), "client_id", app.clientId(), "scope", String.join(" ", app.scopes()));
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return List.of(new SimpleGrantedAuthority(PatientLaunches.PATIENT_ROLE), new SimpleGrantedAuthority(TokenIntrospector.TOKEN_FACTOR));
    }

    @Override
    public String getName() {
        return SmartTokens.PORTAL_PRINCIPAL + holder.accountId();
    }
}
