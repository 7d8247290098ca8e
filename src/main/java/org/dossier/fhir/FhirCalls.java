package org.dossier.fhir;

import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
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

import java.util.function.Function;

/**
 * Runs a provider's work as the authenticated actor and answers the platform's errors as FHIR does: an
 * OperationOutcome with the matching status (404 another facility's record, 403 no relationship, 422 invalid,
 * 412 stale version (If-Match), 409 other conflicts, 405 update-as-create, 429 too many, 503 audit unavailable).
 */
@Component
class FhirCalls {

    private final ActorResolver actors;
    private final ErrorCatalogue catalogue;

    FhirCalls(ActorResolver actors, ErrorCatalogue catalogue) {
        this.actors = actors;
        this.catalogue = catalogue;
    }

    <T> T as(HttpServletRequest request, Function<Actor, T> work) {
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        Actor actor = actors.resolve(authentication, request);
        if (actor == null) {
            throw new AuthenticationException("A full staff sign-in or an API token is required");
        }
        request.setAttribute(Actor.REQUEST_ATTRIBUTE, actor);
        try {
            // A SMART app acts within its scopes only: another type or interaction is refused, patient/ scopes confine it.
            return work.apply(SmartScopes.narrow(actor, AppGrant.of(authentication), request));
        } catch (RuntimeException e) {
            if (e instanceof BaseServerResponseException fhir && !(e instanceof ResourceNotFoundException)) {
                // HAPI's own answer to the request's form (a bad parameter, a stale version): already the right one.
                throw fhir;
            }
            // A 404 a provider answers itself (an id that cannot name a record here) is a refusal like the services' own.
            RuntimeException refusal = e instanceof ResourceNotFoundException ? new NotFoundException(e.getMessage()) : e;
            ErrorCatalogue.Answer answer = catalogue.answer(request, refusal);
            if (e instanceof BaseServerResponseException fhir) {
                throw updateAsCreate(request, fhir);
            }
            throw answer.unexpected() ? new ca.uhn.fhir.rest.server.exceptions.InternalErrorException(answer.detail())
                    : updateAsCreate(request, toFhir(answer));
        }
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

    /** Why a record is changed, required ({@value #CHANGE_REASON}): FHIR has no place for it, the record's history keeps it. */
    static String changeReason(HttpServletRequest request) {
        String reason = request.getHeader(CHANGE_REASON);
        if (reason == null || reason.isBlank()) {
            throw new UnprocessableEntityException(CHANGE_REASON + ": say why the record changes (the header is required; "
                    + "the record's history keeps it)");
        }
        return reason;
    }

    /** The header carrying why a record is changed (FHIR has no place for it; the record's history keeps it). */
    static final String CHANGE_REASON = "X-Dossier-Change-Reason";

    /** The version an update is made against, from If-Match; an update without it could overwrite unseen changes. */
    static int expectedVersion(org.hl7.fhir.instance.model.api.IIdType id) {
        if (id == null || !id.hasVersionIdPart() || !id.getVersionIdPart().matches("\\d{1,9}")) {
            throw new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException(
                    "Send the version you are changing: If-Match: W/\"<version>\" (from meta.versionId)");
        }
        return Integer.parseInt(id.getVersionIdPart());
    }

    /** The authenticated actor of a request, or null. */
    Actor current(HttpServletRequest request) {
        return actors.resolve(SecurityContextHolder.getContext().getAuthentication(), request);
    }

    /** A FHIR id as one of our numeric ids, or 404: no other id exists here. */
    static long id(org.hl7.fhir.instance.model.api.IIdType id) {
        if (id == null || !id.hasIdPart() || !id.isIdPartValidLong()) {
            throw new ResourceNotFoundException(id == null ? "No id" : "No resource " + id.getValue());
        }
        return id.getIdPartAsLong();
    }
}
