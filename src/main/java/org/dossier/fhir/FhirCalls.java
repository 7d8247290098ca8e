package org.dossier.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.identity.ActorResolver;
import org.dossier.identity.AppGrant;
import org.dossier.organization.Actor;
import org.dossier.platform.NotFoundException;
import org.dossier.web.ErrorCatalogue;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

import java.lang.reflect.InvocationTargetException;

/**
 * The one place a FHIR call gets its actor and has its errors answered. A provider method asks for the actor with
 * {@link FhirActor#current}; from then on, whatever it throws is answered here as FHIR does: an OperationOutcome with
 * the matching status (404 another facility's record, 403 no relationship, 422 invalid, 412 stale version (If-Match),
 * 409 other conflicts, 405 update-as-create, 429 too many, 503 audit unavailable). What a method refuses before it asks
 * for the actor (a malformed parameter or body) is HAPI's own answer, as is everything outside a provider method.
 */
@Component
@Interceptor
class FhirCalls {

    /** Set once a provider method has asked for its actor: its errors are answered here from then on. */
    private static final String ANSWERED_HERE = FhirCalls.class.getName() + ".answeredHere";
    private static final String NARROWED = FhirCalls.class.getName() + ".actor";

    private final ActorResolver actors;
    private final ErrorCatalogue catalogue;

    FhirCalls(ActorResolver actors, ErrorCatalogue catalogue) {
        this.actors = actors;
        this.catalogue = catalogue;
    }

    /** Makes this server's actor resolution reachable from {@link FhirActor#current} for the rest of the request. */
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean arrived(HttpServletRequest request) {
        request.setAttribute(FhirCalls.class.getName(), this);
        return true;
    }

    /** The actor of a provider method's work, resolved once per request; see {@link FhirActor#current}. */
    Actor actor(HttpServletRequest request) {
        if (request.getAttribute(NARROWED) instanceof Actor known) {
            return known;
        }
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        Actor actor = actors.resolve(authentication, request);
        if (actor == null) {
            throw new AuthenticationException("A full staff sign-in or an API token is required");
        }
        request.setAttribute(Actor.REQUEST_ATTRIBUTE, actor);
        request.setAttribute(ANSWERED_HERE, Boolean.TRUE);
        // A SMART app acts within its scopes only: another type or interaction is refused, patient/ scopes confine it.
        Actor narrowed = SmartScopes.narrow(actor, AppGrant.of(authentication), request);
        request.setAttribute(NARROWED, narrowed);
        return narrowed;
    }

    /** The answer to what a provider method threw once it had its actor; null leaves the answer to HAPI. */
    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException answer(Throwable thrown, HttpServletRequest request) {
        if (request.getAttribute(ANSWERED_HERE) == null || !(unwrapped(thrown) instanceof RuntimeException e)) {
            return null;
        }
        if (e instanceof BaseServerResponseException fhir && (!(e instanceof ResourceNotFoundException) || e instanceof Versions.NotKept)) {
            // HAPI's own answer to the request's form (a bad parameter, a stale version), or a version the record it read
            // never had: already the right one.
            return fhir;
        }
        // A 404 a provider answers itself (an id that cannot name a record here) is a refusal like the services' own.
        RuntimeException refusal = e instanceof ResourceNotFoundException ? new NotFoundException(e.getMessage()) : e;
        ErrorCatalogue.Answer answer = catalogue.answer(request, refusal);
        if (e instanceof BaseServerResponseException fhir) {
            return updateAsCreate(request, fhir);
        }
        return answer.unexpected() ? new InternalErrorException(answer.detail()) : updateAsCreate(request, toFhir(answer));
    }

    /** What a provider method threw: HAPI wraps a method's own unchecked exception in a 500 of its own. */
    private static Throwable unwrapped(Throwable thrown) {
        if (thrown instanceof InternalErrorException && thrown.getCause() instanceof InvocationTargetException invoked
                && invoked.getCause() != null) {
            return invoked.getCause();
        }
        return thrown;
    }

    /**
     * The FHIR answer to one of the platform's errors, from the same {@link ErrorCatalogue} as the REST API and the pages,
     * or null for an unexpected one (a 500 is then HAPI's to give).
     */
    static BaseServerResponseException translate(RuntimeException e) {
        if (e instanceof BaseServerResponseException fhir) {
            return fhir;
        }
        ErrorCatalogue.Answer answer = ErrorCatalogue.classify(e);
        return answer.unexpected() ? null : toFhir(answer);
    }

    /**
     * A PUT to an id that names no record the caller can see asks for update-as-create, which is not supported: 405,
     * whether the record does not exist or belongs to another facility (both are "not found" here, as for a read).
     */
    private static BaseServerResponseException updateAsCreate(HttpServletRequest request, BaseServerResponseException answer) {
        if (!"PUT".equals(request.getMethod()) || answer.getStatusCode() != 404) {
            return answer;
        }
        return new MethodNotAllowedException("Update-as-create is not supported: this id names no record you can see. Records get "
                + "their id here: create with POST, then update with PUT and If-Match", RequestTypeEnum.GET, RequestTypeEnum.POST);
    }

    /** The HAPI exception that answers {@code answer} with its status, as an OperationOutcome. */
    private static BaseServerResponseException toFhir(ErrorCatalogue.Answer answer) {
        if (STALE_VERSION.equals(answer.code())) {
            // If-Match named a version that is no longer current: FHIR's answer is 412, not 409 (http.html#concurrency).
            return new PreconditionFailedException(answer.detail());
        }
        BaseServerResponseException fhir = switch (answer.status()) {
            case NOT_FOUND -> new ResourceNotFoundException(answer.detail());
            case FORBIDDEN -> new ForbiddenOperationException(answer.detail());
            case UNAUTHORIZED -> new AuthenticationException(answer.detail());
            case UNPROCESSABLE_CONTENT -> new UnprocessableEntityException(answer.detail());
            case CONFLICT -> new ResourceVersionConflictException(answer.detail());
            case BAD_REQUEST -> new InvalidRequestException(answer.detail());
            default -> new UnclassifiedServerFailureException(answer.status().value(), answer.detail());
        };
        if (answer.retryAfter() != null) {
            fhir.addResponseHeader("Retry-After", Long.toString(answer.retryAfter().toSeconds()));
        }
        return fhir;
    }

    /** The catalogue's code of an optimistic-locking refusal ({@link org.dossier.platform.ConflictException#stale}). */
    static final String STALE_VERSION = "stale-version";

    /** The authenticated actor of a request, or null (not narrowed: who owns a page of results). */
    Actor current(HttpServletRequest request) {
        return actors.resolve(SecurityContextHolder.getContext().getAuthentication(), request);
    }
}
