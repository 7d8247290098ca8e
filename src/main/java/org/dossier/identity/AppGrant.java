package org.dossier.identity;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthentication;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a SMART app's access token lets it ask, on top of (never instead of) what the person who authorized it may do:
 * its client, its SMART scopes, and the patient it was launched with. The gateway and the guard still decide every access;
 * this only narrows (ADR 0028).
 *
 * @param clientId        the registered app, as every audit entry of its requests names it
 * @param authorizationId the authorization (one sign-in's consent) the token belongs to
 * @param scopes          the scopes granted, as the token carries them
 * @param patientId       the launch patient (standalone pick or EHR launch), or null
 */
public record AppGrant(String clientId, String authorizationId, Set<String> scopes, Long patientId) {

    /** How far a request reaches under the grant. */
    public enum Reach {
        /** No scope covers the resource type and interaction. */
        NONE,
        /** Only {@code patient/} scopes cover it: the request is confined to the launch patient. */
        PATIENT,
        /** A {@code user/} scope covers it: whatever the person's own work allows. */
        USER
    }

    // SMART v2 (patient/Observation.rs, user/*.cruds) and v1 (patient/*.read, user/Observation.write, patient/*.*).
    private static final Pattern CLINICAL = Pattern.compile("(patient|user)/(\\*|[A-Z][A-Za-z]{1,63})\\.(read|write|\\*|c?r?u?d?s?)");

    public AppGrant {
        scopes = Set.copyOf(scopes);
    }

    /** The grant of the current authentication, or null when it is not a SMART app's token. */
    public static AppGrant of(Authentication authentication) {
        if (authentication instanceof BearerTokenAuthentication bearer && bearer.getPrincipal() instanceof TokenPrincipal token) {
            return token.app();
        }
        if (authentication instanceof BearerTokenAuthentication bearer && bearer.getPrincipal() instanceof PatientAppPrincipal patient) {
            return patient.app();
        }
        return null;
    }

    /**
     * How far the grant reaches for {@code resourceType} ("Observation"; null for a request naming no type, which only a
     * wildcard covers) and {@code interaction}: one of c, r, u, d, s (create, read, update, delete, search).
     */
    public Reach reach(String resourceType, char interaction) {
        Reach best = Reach.NONE;
        for (String scope : scopes) {
            Matcher m = CLINICAL.matcher(scope);
            if (!m.matches()) {
                continue;
            }
            boolean type = m.group(2).equals("*") || m.group(2).equals(resourceType);
            if (type && permissions(m.group(3)).indexOf(interaction) >= 0) {
                if (m.group(1).equals("user")) {
                    return Reach.USER;
                }
                best = Reach.PATIENT;
            }
        }
        return best;
    }

    /** The clinical scopes a request may hold: the SMART scopes that name a context, a type and permissions. */
    public static boolean isClinicalScope(String scope) {
        return CLINICAL.matcher(scope).matches();
    }

    /** Whether the grant names any {@code patient/} scope (it then needs a launch patient). */
    public boolean hasPatientScopes() {
        return scopes.stream().anyMatch(s -> s.startsWith("patient/") && isClinicalScope(s));
    }

    /**
     * Whether an app registered with {@code registered} may ask for {@code requested}: the same scope, or a narrower
     * clinical one — the same context ({@code patient/} or {@code user/}), the registered type or any type under
     * {@code *}, and only permissions the registered scope has ({@code patient/*.rs} covers {@code patient/Observation.r}).
     * An app asks for what it needs now, never more than it was registered for.
     */
    public static boolean covers(String registered, String requested) {
        if (registered.equals(requested)) {
            return true;
        }
        Matcher r = CLINICAL.matcher(registered);
        Matcher q = CLINICAL.matcher(requested);
        if (!r.matches() || !q.matches() || !r.group(1).equals(q.group(1))) {
            return false;
        }
        if (!r.group(2).equals("*") && !r.group(2).equals(q.group(2))) {
            return false;
        }
        String allowed = permissions(r.group(3));
        String asked = permissions(q.group(3));
        return !asked.isEmpty() && asked.chars().allMatch(c -> allowed.indexOf(c) >= 0);
    }

    private static String permissions(String given) {
        return switch (given.toLowerCase(Locale.ROOT)) {
            case "read" -> "rs";
            case "write" -> "cud";
            case "*" -> "cruds";
            default -> given;
        };
    }

    /**
     * Whether an app for patients may hold {@code scope} (ADR 0045): sign-in and launch scopes, and {@code patient/} scopes
     * that read or search only (v2 {@code r}, {@code s}, {@code rs}, or v1 {@code read}). Never {@code user/}, a write, or the
     * EHR launch's {@code launch}: a patient's app reads its patient's own record.
     */
    public static boolean forPatients(String scope) {
        if (Set.of("openid", "fhirUser", "launch/patient", "offline_access", "online_access").contains(scope)) {
            return true;
        }
        Matcher m = CLINICAL.matcher(scope);
        return m.matches() && m.group(1).equals("patient") && !permissions(m.group(3)).isEmpty()
                && permissions(m.group(3)).chars().allMatch(c -> c == 'r' || c == 's');
    }

    /** The scopes a client may be registered with: SMART's, OpenID Connect's, and the clinical scopes above. */
    public static Set<String> supportedScopes() {
        Set<String> s = new LinkedHashSet<>();
        s.addAll(Set.of("openid", "fhirUser", "profile", "launch", "launch/patient", "offline_access", "online_access"));
        for (String context : new String[] {"patient", "user"}) {
            for (String type : new String[] {"*", "Patient", "Observation", "Condition", "AllergyIntolerance", "MedicationRequest",
                    "Encounter", "Procedure", "Immunization", "DocumentReference", "Appointment", "CareTeam", "AuditEvent"}) {
                s.add(context + "/" + type + ".rs");
                s.add(context + "/" + type + ".cu");
                s.add(context + "/" + type + ".cruds");
                s.add(context + "/" + type + ".read");
                s.add(context + "/" + type + ".write");
            }
        }
        return s;
    }
}
