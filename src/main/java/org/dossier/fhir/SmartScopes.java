package org.dossier.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.identity.AppGrant;
import org.dossier.organization.Actor;
import org.dossier.platform.ForbiddenException;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * SMART on FHIR scopes at the FHIR facade: what an app's token names (resource types, read/search or create/update, the
 * launch patient) narrows what its person may do here, never widens it — the gateway and the guard still decide every
 * access (ADR 0028). HAPI tells which interaction a request is; {@link #narrow} applies the scopes to the request's actor.
 */
final class SmartScopes {

    private static final String INTERACTION = "org.dossier.fhir.interaction";
    /**
     * What a patient's own app may read: what the portal shows the patient (ADR 0045), and no more. Results and documents
     * reach the portal only once a clinician releases them (ADR 0044); the FHIR facade has no such filter yet, so they are
     * left out here rather than sent unreleased. Received records kept as sent, encounters, procedures and the rest are
     * not shown in the portal either.
     */
    static final java.util.Set<String> PATIENT_APP_TYPES = java.util.Set.of("Patient", "Appointment", "MedicationRequest",
            "AllergyIntolerance", "Condition", "Invoice", "AuditEvent");
    private static final String RESOURCE = "org.dossier.fhir.resourceType";

    private SmartScopes() {
    }

    static Object interceptor() {
        return new Object() {
            @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
            public void interaction(RequestDetails request, RestOperationTypeEnum operation) {
                if (request instanceof ServletRequestDetails servlet) {
                    servlet.getServletRequest().setAttribute(INTERACTION, operation);
                    if (request.getResourceName() != null) {
                        servlet.getServletRequest().setAttribute(RESOURCE, request.getResourceName());
                    }
                }
            }

            /** The CapabilityStatement names SMART: its service coding and the OAuth endpoints (SMART App Launch, conformance). */
            @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
            public void security(IBaseConformance statement, RequestDetails request) {
                if (!(statement instanceof CapabilityStatement cs) || cs.getRest().isEmpty()) {
                    return;
                }
                String base = request.getFhirServerBase();
                String root = base.endsWith("/fhir") ? base.substring(0, base.length() - "/fhir".length()) : base;
                CapabilityStatement.CapabilityStatementRestSecurityComponent security = cs.getRestFirstRep().getSecurity();
                security.setCors(false);
                security.addService(new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(
                        "http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")));
                security.setDescription("SMART App Launch 2.x (OAuth 2.1, authorization code with PKCE S256): see "
                        + base + "/.well-known/smart-configuration. Staff API tokens (POST /api/auth/token) are accepted too.");
                Extension uris = security.addExtension().setUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
                uris.addExtension("authorize", new UriType(root + "/oauth2/authorize"));
                uris.addExtension("token", new UriType(root + "/oauth2/token"));
                // Only the sub-extensions the oauth-uris definition has (a validator refuses others): revocation and
                // introspection are named by .well-known/smart-configuration, SMART 2.x's discovery.
            }
        };
    }

    /**
     * The request's actor under the app's scopes: refused (403, audited by the caller) when no scope covers this resource type
     * and interaction; confined to the launch patient when only {@code patient/} scopes do. Unchanged for anyone else.
     */
    static Actor narrow(Actor actor, AppGrant app, HttpServletRequest request) {
        if (app == null) {
            return actor;
        }
        Object operation = request.getAttribute(INTERACTION);
        String type = (String) request.getAttribute(RESOURCE);
        char interaction = operation instanceof RestOperationTypeEnum op ? interaction(op) : '?';
        if (interaction == '?') {
            throw refused("This app's authorization does not cover this request (" + request.getMethod() + " "
                    + request.getRequestURI() + ")");
        }
        if (interaction == 'p') {
            // A further page of a search the same token made: the search was decided (and confined) when it ran.
            return app.hasPatientScopes() && app.reach(null, 's') != AppGrant.Reach.USER
                    ? actor.confinedTo(app.patientId() == null ? -1 : app.patientId()) : actor;
        }
        if (actor.hasRole(org.dossier.organization.Role.PATIENT) && (type == null || !PATIENT_APP_TYPES.contains(type))) {
            throw refused("A patient's app reads what the patient portal shows (" + String.join(", ", new java.util.TreeSet<>(PATIENT_APP_TYPES))
                    + "); " + (type == null ? "this request" : type) + " is not among them");
        }
        AppGrant.Reach reach = app.reach(type, interaction);
        if (reach == AppGrant.Reach.NONE) {
            throw refused("This app's scopes (" + String.join(" ", app.scopes()) + ") do not allow "
                    + describe(interaction) + " " + (type == null ? "this" : type));
        }
        if (reach == AppGrant.Reach.PATIENT) {
            if (app.patientId() == null) {
                throw refused("This app holds patient/ scopes but was authorized without a patient");
            }
            if ("Patient".equals(type) && interaction == 'c') {
                throw refused("An app authorized for one patient does not register patients");
            }
            return actor.confinedTo(app.patientId());
        }
        return actor;
    }

    /**
     * Whether the current request's SMART app, if it is one, may be sent resources of {@code type} inside an answer
     * about one patient ({@code $everything}, a search's includes): a scope that reads or searches that type. The
     * request's own type was checked by {@link #narrow}; what comes with it must be covered too, else a scope for one
     * type would carry the whole compartment. Anyone else: always.
     */
    static boolean covers(String type) {
        org.springframework.security.core.Authentication authentication =
                org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
        AppGrant app = AppGrant.of(authentication);
        if (app != null && authentication.getAuthorities().stream().anyMatch(a -> "ROLE_PATIENT".equals(a.getAuthority()))
                && !PATIENT_APP_TYPES.contains(type)) {
            return false;
        }
        return app == null || app.reach(type, 'r') != AppGrant.Reach.NONE || app.reach(type, 's') != AppGrant.Reach.NONE;
    }

    private static ForbiddenException refused(String message) {
        return new ForbiddenException(message).because("APP_SCOPE");
    }

    private static char interaction(RestOperationTypeEnum op) {
        return switch (op) {
            case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE -> 'r';
            case SEARCH_TYPE -> 's';
            case CREATE -> 'c';
            case UPDATE -> 'u';
            case DELETE -> 'd';
            case GET_PAGE -> 'p';
            // $everything reads one patient's compartment.
            case EXTENDED_OPERATION_INSTANCE -> 'r';
            default -> '?';
        };
    }

    private static String describe(char interaction) {
        return switch (interaction) {
            case 'r' -> "reading";
            case 's' -> "searching";
            case 'c' -> "creating";
            case 'u' -> "updating";
            case 'd' -> "deleting";
            default -> "this request";
        };
    }
}
