package org.dossier.fhir;

import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.audit.AuditUnavailableException;
import org.dossier.platform.DatabaseAvailability;
import org.dossier.identity.ActorResolver;
import org.dossier.organization.Actor;
import org.dossier.platform.ConflictException;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.StepUpRequiredException;
import org.dossier.platform.TooManyRequestsException;
import org.dossier.web.RefusalAuditor;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

import java.util.function.Function;

/**
 * Runs a provider's work as the authenticated actor and answers the platform's errors as FHIR does: an
 * OperationOutcome with the matching status (404 another facility's record, 403 no relationship, 422 invalid,
 * 409 stale version, 429 too many, 503 audit unavailable).
 */
@Component
class FhirCalls {

    private final ActorResolver actors;
    private final RefusalAuditor refusals;

    FhirCalls(ActorResolver actors, RefusalAuditor refusals) {
        this.actors = actors;
        this.refusals = refusals;
    }

    <T> T as(HttpServletRequest request, Function<Actor, T> work) {
        Actor actor = actors.resolve(SecurityContextHolder.getContext().getAuthentication(), request);
        if (actor == null) {
            throw new AuthenticationException("A full staff sign-in or an API token is required");
        }
        request.setAttribute(Actor.REQUEST_ATTRIBUTE, actor);
        try {
            return work.apply(actor);
        } catch (RuntimeException e) {
            // A refusal no service audited (a record that does not exist, a role refused before any patient) is audited
            // here exactly as the REST API and the pages audit it.
            // A 404 a provider answers itself (an id that cannot name a record here) is such a refusal too.
            refusals.audit(request, e instanceof ResourceNotFoundException ? new NotFoundException(e.getMessage()) : e);
            BaseServerResponseException answer = translate(e);
            if (answer == null) {
                throw e;
            }
            throw answer;
        }
    }

    /**
     * The FHIR answer to one of the platform's errors, or null for an unexpected one (a 500 is then HAPI's to give):
     * the same statuses as the REST API.
     */
    static BaseServerResponseException translate(RuntimeException e) {
        if (e instanceof BaseServerResponseException fhir) {
            return fhir;
        } else if (DatabaseAvailability.isConnectionFailure(e)) {
            return unavailable("The database is unavailable for a moment, so nothing was read or changed; try again");
        } else if (e instanceof NotFoundException) {
            return new ResourceNotFoundException(e.getMessage());
        } else if (e instanceof StepUpRequiredException || e instanceof ForbiddenException) {
            return new ForbiddenOperationException(e.getMessage());
        } else if (e instanceof InvalidInputException) {
            return new UnprocessableEntityException(e.getMessage());
        } else if (e instanceof ConflictException) {
            return new ResourceVersionConflictException(e.getMessage());
        } else if (e instanceof TooManyRequestsException) {
            return new UnclassifiedServerFailureException(429, e.getMessage());
        } else if (e instanceof AuditUnavailableException) {
            return unavailable("The access could not be recorded, so nothing is returned; try again");
        } else if (e instanceof IllegalArgumentException) {
            return new InvalidRequestException(e.getMessage());
        }
        return null;
    }

    /** A 503 with the Retry-After the REST API gives too (docs/decisions/0021-supervised-database.md). */
    private static BaseServerResponseException unavailable(String message) {
        BaseServerResponseException answer = new UnclassifiedServerFailureException(503, message);
        answer.addResponseHeader("Retry-After", "5");
        return answer;
    }

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
