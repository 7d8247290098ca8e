package org.dossier.identity;

import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Service;

import java.net.URI;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * SMART on FHIR apps: registration by an administrator (audited), the consent a person gives them, the patient picked
 * at a standalone launch and the launch value of an EHR launch. Tokens themselves are Spring Authorization Server's
 * (ADR 0028).
 */
@Service
public class SmartApps {

    /** Access tokens live 10 minutes; refresh tokens 8 hours, never beyond the account's access (revoked with it). */
    static final Duration ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(10);
    static final Duration REFRESH_TOKEN_LIFETIME = Duration.ofHours(8);
    static final Duration LAUNCH_LIFETIME = Duration.ofMinutes(10);

    private final RegisteredClientRepository clients;
    private final SmartTokens tokens;
    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final SecurityEvents events;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    SmartApps(RegisteredClientRepository clients, SmartTokens tokens, JdbcClient jdbc, PasswordEncoder encoder, SecurityEvents events,
              Clock clock) {
        this.clients = clients;
        this.tokens = tokens;
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.events = events;
        this.clock = clock;
    }

    /** A registered app as an administrator sees it (never its secret). */
    public record App(String clientId, String name, List<String> redirectUris, Set<String> scopes, boolean confidential,
                      String launchUri, boolean enabled, Instant registeredAt, boolean forPatients) {
    }

    /** A registration's answer: the app, and its secret (confidential apps only), shown this once. */
    public record Registered(App app, String clientSecret) {
    }

    /** What a person is asked to consent to. */
    public record Consent(String clientId, String clientName, List<String> scopes, boolean needsPatient, boolean ehrLaunch) {
    }

    /** Registers an app: administrators only, with a fresh second factor when signed in through a browser; audited. */
    public Registered register(Actor admin, String name, List<String> redirectUris, Set<String> scopes, boolean confidential,
                               String launchUri) {
        return register(admin, name, redirectUris, scopes, confidential, launchUri, false);
    }

    /**
     * Registers an app, for staff or — {@code forPatients} — for patients: a patients' app is authorized by a patient
     * signed in to the portal and by no one else, holds patients' scopes only (read and search of their own record, no
     * {@code user/}, no write, no EHR launch) and has no launch URI (ADR 0045).
     */
    public Registered register(Actor admin, String name, List<String> redirectUris, Set<String> scopes, boolean confidential,
                               String launchUri, boolean forPatients) {
        requireAdmin(admin);
        if (forPatients) {
            requirePatientsScopes(scopes, launchUri);
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidInputException("name", "1 to 200 characters");
        }
        if (redirectUris == null || redirectUris.isEmpty() || redirectUris.size() > 10) {
            throw new InvalidInputException("redirectUris", "1 to 10 absolute URIs");
        }
        redirectUris.forEach(u -> requireUri("redirectUris", u));
        if (launchUri != null && !launchUri.isBlank()) {
            requireUri("launchUri", launchUri);
        }
        Set<String> supported = AppGrant.supportedScopes();
        if (scopes == null || scopes.isEmpty() || scopes.size() > 60) {
            throw new InvalidInputException("scopes", "1 to 60 of " + String.join(" ", List.of("openid", "fhirUser", "launch", "launch/patient",
                    "offline_access", "patient/*.rs", "user/*.rs", "…")));
        }
        for (String scope : scopes) {
            if (!supported.contains(scope) && !AppGrant.isClinicalScope(scope)) {
                throw new InvalidInputException("scopes", scope + " is not a scope this server grants");
            }
        }
        String clientId = "app-" + UUID.randomUUID();
        String secret = null;
        RegisteredClient.Builder client = RegisteredClient.withId(UUID.randomUUID().toString()).clientId(clientId).clientName(name.strip())
                .clientIdIssuedAt(clock.instant())
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUris(uris -> uris.addAll(redirectUris))
                .scopes(s -> s.addAll(scopes));
        if (confidential) {
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            client.clientSecret(encoder.encode(secret)).clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST);
        } else {
            client.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
        }
        ClientSettings.Builder settings = ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(true)
                .setting(SmartTokens.DISABLED_SETTING, false).setting(SmartTokens.FOR_PATIENTS_SETTING, forPatients);
        if (launchUri != null && !launchUri.isBlank()) {
            settings.setting(SmartTokens.LAUNCH_URI_SETTING, launchUri);
        }
        client.clientSettings(settings.build()).tokenSettings(TokenSettings.builder()
                .accessTokenFormat(OAuth2TokenFormat.REFERENCE).accessTokenTimeToLive(ACCESS_TOKEN_LIFETIME)
                .refreshTokenTimeToLive(REFRESH_TOKEN_LIFETIME).reuseRefreshTokens(false)
                .authorizationCodeTimeToLive(Duration.ofMinutes(2)).build());
        RegisteredClient built = client.build();
        clients.save(built);
        events.publish(SecurityEvent.Type.SMART_APP_REGISTERED, admin.staffId(), admin.username(), admin.sourceAddress(), admin.userAgent(),
                "app " + clientId + " (" + name.strip() + "), " + (forPatients ? "for patients, " : "")
                        + (confidential ? "confidential" : "public") + ", scopes " + String.join(" ", scopes)
                        + ", redirect " + String.join(" ", redirectUris));
        return new Registered(app(built), secret);
    }

    private static void requirePatientsScopes(Set<String> scopes, String launchUri) {
        if (launchUri != null && !launchUri.isBlank()) {
            throw new InvalidInputException("launchUri", "an app for patients is not launched from a chart");
        }
        for (String scope : scopes == null ? Set.<String>of() : scopes) {
            if (!AppGrant.forPatients(scope)) {
                throw new InvalidInputException("scopes", scope + " is not for a patient's app: openid, fhirUser, launch/patient, "
                        + "offline_access and patient/ scopes that read or search (patient/*.rs)");
            }
        }
    }

    /** Disables an app: its tokens stop working at once and it gets no new ones. Administrators only; audited. */
    public void disable(Actor admin, String clientId) {
        requireAdmin(admin);
        RegisteredClient client = clients.findByClientId(clientId);
        if (client == null) {
            throw new NotFoundException("No app " + clientId);
        }
        clients.save(RegisteredClient.from(client).clientSettings(ClientSettings.withSettings(client.getClientSettings().getSettings())
                .setting(SmartTokens.DISABLED_SETTING, true).build()).build());
        jdbc.sql("delete from oauth2_authorization where registered_client_id = ?").param(client.getId()).update();
        events.publish(SecurityEvent.Type.SMART_APP_DISABLED, admin.staffId(), admin.username(), admin.sourceAddress(), admin.userAgent(),
                "app " + clientId + " disabled, its tokens revoked");
    }

    /** Every registered app, newest first (administrators). */
    public List<App> apps(Actor admin) {
        requireAdmin(admin);
        return jdbc.sql("select client_id from oauth2_registered_client order by client_id_issued_at desc limit 200").query(String.class).list()
                .stream().map(clients::findByClientId).map(SmartApps::app).toList();
    }

    /** The enabled apps a clinician may open from a chart: those registered with a launch URI. */
    public List<App> launchable() {
        return jdbc.sql("select client_id from oauth2_registered_client order by client_name limit 50").query(String.class).list()
                .stream().map(clients::findByClientId).map(SmartApps::app).filter(a -> a.enabled() && a.launchUri() != null).toList();
    }

    /** The app with this client id, enabled or not. */
    public Optional<App> app(String clientId) {
        RegisteredClient client = clientId == null || clientId.length() > 100 ? null : clients.findByClientId(clientId);
        return Optional.ofNullable(client).map(SmartApps::app);
    }

    /** The authorization waiting for the actor's consent under {@code state} (the value the authorization endpoint gave). */
    public Optional<Consent> pendingConsent(Actor actor, String state) {
        OAuth2Authorization authorization = tokens.pending(state, actor.username());
        if (authorization == null) {
            return Optional.empty();
        }
        RegisteredClient client = clients.findById(authorization.getRegisteredClientId());
        if (client == null) {
            return Optional.empty();
        }
        Set<String> requested = SmartTokens.requestedScopes(authorization);
        if (SmartTokens.forPatients(client)) {
            // A patients' app is consented to in the portal (pendingPatientConsent), never by a staff member.
            return Optional.empty();
        }
        String launch = SmartTokens.launchOf(authorization);
        boolean ehr = requested.contains("launch") && launch != null;
        return Optional.of(new Consent(client.getClientId(), client.getClientName(), requested.stream().sorted().toList(),
                requested.contains("launch/patient") && !ehr, ehr));
    }

    /**
     * The authorization of a patients' app waiting for the consent of the patient whose portal account is {@code accountId}
     * (ADR 0045): the patient context is their own record, so there is nothing to pick.
     */
    public Optional<Consent> pendingPatientConsent(long accountId, String state) {
        OAuth2Authorization authorization = tokens.pending(state, SmartTokens.PORTAL_PRINCIPAL + accountId);
        RegisteredClient client = authorization == null ? null : clients.findById(authorization.getRegisteredClientId());
        if (!SmartTokens.forPatients(client)) {
            return Optional.empty();
        }
        return Optional.of(new Consent(client.getClientId(), client.getClientName(),
                SmartTokens.requestedScopes(authorization).stream().sorted().toList(), false, false));
    }

    /**
     * Revokes every authorization (codes, access and refresh tokens) a patient's portal account gave apps: called by the
     * portal when the account is superseded by a new enrolment or a code is issued for the patient at the desk, as an
     * account change revokes a staff member's (ADR 0045). Tokens are also checked against the account at every request.
     */
    public int revokePatientApps(long accountId) {
        return tokens.revokeAll(SmartTokens.PORTAL_PRINCIPAL + accountId);
    }

    /**
     * Records the patient the actor picked for a standalone launch. The caller has had the gateway decide that the actor
     * may open this patient (the decision is audited there); this only binds it to the pending authorization.
     */
    public void pickPatient(Actor actor, String state, long patientId) {
        OAuth2Authorization authorization = tokens.pending(state, actor.username());
        if (authorization == null) {
            throw new NotFoundException("No authorization waiting for your consent: start again from the app");
        }
        tokens.pick(authorization, patientId);
    }

    /**
     * A launch value for an EHR launch of {@code clientId} by the actor on {@code patientId}, valid a few minutes. The caller
     * has had the gateway open the patient's chart for the actor.
     */
    public String launch(Actor actor, long patientId, String clientId) {
        App app = app(clientId).filter(App::enabled).filter(a -> !a.forPatients())
                .orElseThrow(() -> new NotFoundException("No app " + clientId));
        byte[] raw = new byte[24];
        random.nextBytes(raw);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        // The patient's facility, as the caller's scope sees it: a patient behind another facility's wall launches nothing.
        int inserted = jdbc.sql("""
                        insert into smart_launch (launch_hash, staff_id, patient_id, client_id, created_at, expires_at, facility_id)
                        select ?, ?, p.id, ?, ?, ?, p.facility_id from patient p where p.id = ?""")
                .param(ApiTokens.hash(value)).param(actor.staffId()).param(app.clientId())
                .param(Timestamp.from(now)).param(Timestamp.from(now.plus(LAUNCH_LIFETIME))).param(patientId).update();
        if (inserted != 1) {
            throw new NotFoundException("No patient " + patientId);
        }
        return value;
    }

    private void requireAdmin(Actor admin) {
        if (!admin.hasRole(Role.ADMIN)) {
            throw new ForbiddenException("Only an administrator registers SMART apps");
        }
        if (admin.channel() == Actor.Channel.SESSION) {
            admin.requireFreshSecondFactor(clock.instant());
        }
    }

    private static void requireUri(String field, String value) {
        try {
            URI uri = URI.create(value);
            boolean local = "localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost());
            if (uri.getFragment() != null || uri.getHost() == null || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && local))
                    || value.length() > 300) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, "an absolute https URI (http only for localhost), without fragment: " + value);
        }
    }

    private static App app(RegisteredClient c) {
        Object launch = c.getClientSettings().getSetting(SmartTokens.LAUNCH_URI_SETTING);
        return new App(c.getClientId(), c.getClientName(), new ArrayList<>(c.getRedirectUris()), new LinkedHashSet<>(c.getScopes()),
                c.getClientAuthenticationMethods().stream().anyMatch(m -> !m.equals(ClientAuthenticationMethod.NONE)),
                launch instanceof String s ? s : null, !Boolean.TRUE.equals(c.getClientSettings().getSetting(SmartTokens.DISABLED_SETTING)),
                c.getClientIdIssuedAt(), SmartTokens.forPatients(c));
    }
}
