package org.dossier.identity;

import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SMART app tokens Spring Authorization Server issued, as the rest of Dossier sees them: who they act for, which
 * app, which scopes and which launch patient. Read afresh on every request, like API tokens (ADR 0028).
 */
@Component
class SmartTokens {

    /** The authorization attribute holding the patient the person picked at consent (standalone launch). */
    static final String PATIENT_ATTRIBUTE = "dossier.smart.patient";
    /** The claim (and token-response parameter) naming the launch patient. */
    static final String PATIENT_CLAIM = "patient";
    static final String STAFF_CLAIM = "staff_id";
    /** A registered client's setting that, when true, stops every token of the app. */
    static final String DISABLED_SETTING = "dossier.disabled";
    /** A registered client's setting: where the chart sends the person for an EHR launch. */
    static final String LAUNCH_URI_SETTING = "dossier.launch-uri";
    /** A registered client's setting: an app for patients, authorized through the portal's sign-in only (ADR 0045). */
    static final String FOR_PATIENTS_SETTING = "dossier.for-patients";
    /** The claim naming the portal account a patient's app token acts for (never set with {@link #STAFF_CLAIM}). */
    static final String PORTAL_CLAIM = "portal_account";
    /** When the patient's authorization got its first token: a code issued at the desk after it ends the tokens. */
    static final String SINCE_CLAIM = "portal_since";
    /** The principal name of a patient's authorizations: the portal account, which no staff username can be. */
    static final String PORTAL_PRINCIPAL = "portal:";

    private final OAuth2AuthorizationService authorizations;
    private final RegisteredClientRepository clients;
    private final OrganizationService organization;
    private final JdbcClient jdbc;
    private final Clock clock;

    SmartTokens(OAuth2AuthorizationService authorizations, RegisteredClientRepository clients, OrganizationService organization,
                JdbcClient jdbc, Clock clock) {
        this.authorizations = authorizations;
        this.clients = clients;
        this.organization = organization;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A live token: a staff member's ({@code portalAccount} null) or a patient's portal account's (staff id 0). */
    record Live(long staffId, Instant issuedAt, AppGrant grant, Long portalAccount, Instant portalSince) {
        Live(long staffId, Instant issuedAt, AppGrant grant) {
            this(staffId, issuedAt, grant, null, null);
        }
    }

    /** The live access token with this value: issued here, not expired, not revoked, of an app still registered and enabled. */
    Optional<Live> live(String value) {
        if (value == null || value.length() > 400) {
            return Optional.empty();
        }
        OAuth2Authorization authorization = authorizations.findByToken(value, OAuth2TokenType.ACCESS_TOKEN);
        if (authorization == null || authorization.getAccessToken() == null) {
            return Optional.empty();
        }
        OAuth2Authorization.Token<OAuth2AccessToken> token = authorization.getAccessToken();
        Instant now = clock.instant();
        if (token.isInvalidated() || token.getToken().getExpiresAt() == null || !token.getToken().getExpiresAt().isAfter(now)) {
            return Optional.empty();
        }
        RegisteredClient client = clients.findById(authorization.getRegisteredClientId());
        if (client == null || Boolean.TRUE.equals(client.getClientSettings().getSetting(DISABLED_SETTING))) {
            return Optional.empty();
        }
        Map<String, Object> claims = token.getClaims();
        Object staff = claims == null ? null : claims.get(STAFF_CLAIM);
        Object portal = claims == null ? null : claims.get(PORTAL_CLAIM);
        if ((staff == null) == (portal == null) || (portal != null) != forPatients(client)) {
            // Exactly one of the two, and a patient's token only from a patients' app (a staff app's never names a patient account).
            return Optional.empty();
        }
        Long patient = claims.get(PATIENT_CLAIM) == null ? null : Long.valueOf(claims.get(PATIENT_CLAIM).toString());
        AppGrant grant = new AppGrant(client.getClientId(), authorization.getId(), token.getToken().getScopes(), patient);
        if (portal != null) {
            return Optional.of(new Live(0, token.getToken().getIssuedAt(), grant, Long.valueOf(portal.toString()),
                    Instant.ofEpochMilli(Long.parseLong(claims.get(SINCE_CLAIM).toString()))));
        }
        return Optional.of(new Live(Long.parseLong(staff.toString()), token.getToken().getIssuedAt(), grant));
    }

    /**
     * The patient of an authorization: the one the person picked at consent, the one an earlier token carried (a
     * refresh), or the one the chart's EHR launch named for this person and this app. Null when none.
     */
    Long patientOf(OAuth2Authorization authorization, long staffId, String clientId) {
        if (authorization == null) {
            return null;
        }
        Object picked = authorization.getAttribute(PATIENT_ATTRIBUTE);
        if (picked != null) {
            return Long.valueOf(picked.toString());
        }
        OAuth2Authorization.Token<OAuth2AccessToken> earlier = authorization.getAccessToken();
        if (earlier != null && earlier.getClaims() != null && earlier.getClaims().get(PATIENT_CLAIM) != null) {
            return Long.valueOf(earlier.getClaims().get(PATIENT_CLAIM).toString());
        }
        OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        Object launch = request == null ? null : request.getAdditionalParameters().get("launch");
        if (launch instanceof String value && !value.isBlank() && value.length() <= 100) {
            // Read by the server itself (the token endpoint has no user's scope): the secret, its clinician and its app
            // are the key, and the gateway still decides every request the token makes.
            return org.dossier.platform.FacilityScope.asSystem(() -> jdbc.sql(
                            "select patient_id from smart_launch where launch_hash = ? and staff_id = ? and client_id = ? and expires_at > ?")
                    .param(ApiTokens.hash(value)).param(staffId).param(clientId).param(Timestamp.from(clock.instant()))
                    .query(Long.class).optional().orElse(null));
        }
        return null;
    }

    /** The active staff member an authorization acts for, or null (unknown, frozen, suspended). */
    StaffMember activeMember(String username) {
        StaffMember member = organization.staffByUsername(username).orElse(null);
        return member == null || member.status() != StaffStatus.ACTIVE ? null : member;
    }

    /** Whether this registered client is an app for patients (authorized through the portal's sign-in only). */
    static boolean forPatients(RegisteredClient client) {
        return client != null && Boolean.TRUE.equals(client.getClientSettings().getSetting(FOR_PATIENTS_SETTING));
    }

    /** Whether the client id names a registered app for patients. */
    boolean forPatients(String clientId) {
        return clientId != null && clientId.length() <= 100 && forPatients(clients.findByClientId(clientId));
    }

    /** The portal account a patient's authorization names ({@code portal:<id>}), or null for a staff member's. */
    static Long portalAccount(String principalName) {
        if (principalName == null || !principalName.startsWith(PORTAL_PRINCIPAL)) {
            return null;
        }
        String id = principalName.substring(PORTAL_PRINCIPAL.length());
        return id.matches("\\d{1,18}") ? Long.valueOf(id) : null;
    }

    /** Deletes every authorization (codes, access and refresh tokens) of an account; returns how many. */
    int revokeAll(String username) {
        return jdbc.sql("delete from oauth2_authorization where principal_name = ?").param(username).update();
    }

    /** The authorization waiting for this person's consent under {@code state}, or null. */
    OAuth2Authorization pending(String state, String username) {
        if (state == null || state.length() > 500) {
            return null;
        }
        OAuth2Authorization authorization = authorizations.findByToken(state, new OAuth2TokenType("state"));
        return authorization == null || !authorization.getPrincipalName().equals(username) ? null : authorization;
    }

    /** Records the patient picked at consent on the pending authorization. */
    void pick(OAuth2Authorization authorization, long patientId) {
        authorizations.save(OAuth2Authorization.from(authorization).attribute(PATIENT_ATTRIBUTE, Long.toString(patientId)).build());
    }

    static Set<String> requestedScopes(OAuth2Authorization authorization) {
        OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        return request == null ? Set.of() : new HashSet<>(request.getScopes());
    }

    static String launchOf(OAuth2Authorization authorization) {
        OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        Object launch = request == null ? null : request.getAdditionalParameters().get("launch");
        return launch instanceof String s ? s : null;
    }
}
