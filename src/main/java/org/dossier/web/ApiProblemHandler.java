package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.StepUpRequiredException;
import org.dossier.platform.TooManyRequestsException;
import org.dossier.platform.UnauthorizedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * Turns the platform's error vocabulary into RFC 9457 problem details, so that every bad request
 * gets a message a person can act on and never a stack trace.
 */
@RestControllerAdvice(annotations = org.springframework.web.bind.annotation.RestController.class)
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
class ApiProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);
    private static final String TYPE_BASE = Problems.TYPE_BASE;

    private final RefusalAuditor refusals;

    ApiProblemHandler(RefusalAuditor refusals) {
        this.refusals = refusals;
    }

    @ExceptionHandler(InvalidInputException.class)
    ProblemDetail invalid(InvalidInputException e, HttpServletRequest request) {
        ProblemDetail p = problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-input", "The request has invalid fields",
                e.getMessage(), request);
        p.setProperty("errors", e.errors());
        return p;
    }

    @ExceptionHandler(org.dossier.platform.BadRequestException.class)
    ProblemDetail badRequest(org.dossier.platform.BadRequestException e, HttpServletRequest request) {
        return problem(HttpStatus.BAD_REQUEST, e.code(), "The request cannot be processed", e.getMessage(), request);
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e, HttpServletRequest request) {
        refusals.audit(request, e);
        return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage(), request);
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e, HttpServletRequest request) {
        ProblemDetail p = problem(HttpStatus.CONFLICT, e.code(), "Conflict with the current state", e.getMessage(), request);
        e.details().forEach(p::setProperty);
        return p;
    }

    @ExceptionHandler(org.dossier.platform.AccountFrozenException.class)
    ProblemDetail frozen(org.dossier.platform.AccountFrozenException e, HttpServletRequest request) {
        return problem(HttpStatus.FORBIDDEN, "account-frozen", "Account frozen", e.getMessage(), request);
    }

    @ExceptionHandler(ForbiddenException.class)
    ProblemDetail forbidden(ForbiddenException e, HttpServletRequest request) {
        refusals.audit(request, e);
        return problem(HttpStatus.FORBIDDEN, "forbidden", "Not allowed", e.getMessage(), request);
    }

    @ExceptionHandler(StepUpRequiredException.class)
    ProblemDetail stepUp(StepUpRequiredException e, HttpServletRequest request) {
        ProblemDetail p = problem(HttpStatus.FORBIDDEN, "step-up-required", "Confirm it is you", e.getMessage(), request);
        p.setProperty("stepUp", "/api/auth/step-up");
        return p;
    }

    @ExceptionHandler(TooManyRequestsException.class)
    ResponseEntity<ProblemDetail> tooMany(TooManyRequestsException e, HttpServletRequest request) {
        ProblemDetail p = problem(HttpStatus.TOO_MANY_REQUESTS, "too-many-attempts", "Too many attempts", e.getMessage(), request);
        long seconds = Math.max(1, e.retryAfter().toSeconds());
        p.setProperty("retryAfterSeconds", seconds);
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(HttpHeaders.RETRY_AFTER, Long.toString(seconds)).body(p);
    }

    @ExceptionHandler(UnauthorizedException.class)
    ResponseEntity<ProblemDetail> unauthorized(UnauthorizedException e, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .body(problem(HttpStatus.UNAUTHORIZED, "unauthorized", "Not signed in", e.getMessage(), request));
    }

    @ExceptionHandler(org.springframework.security.access.AccessDeniedException.class)
    ProblemDetail accessDenied(org.springframework.security.access.AccessDeniedException e, HttpServletRequest request) {
        return problem(HttpStatus.FORBIDDEN, "forbidden", "Not allowed", "You are not allowed to do this", request);
    }

    @ExceptionHandler(org.springframework.security.core.AuthenticationException.class)
    ResponseEntity<ProblemDetail> authentication(org.springframework.security.core.AuthenticationException e, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .body(problem(HttpStatus.UNAUTHORIZED, "unauthorized", "Not signed in", "Sign in with a second factor or a valid token", request));
    }

    @ExceptionHandler(org.dossier.audit.AuditUnavailableException.class)
    ProblemDetail auditUnavailable(org.dossier.audit.AuditUnavailableException e, HttpServletRequest request) {
        log.error("Audit trail unavailable on {} {}: refusing to answer", request.getMethod(), request.getRequestURI(), e);
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Temporarily unavailable",
                "The access could not be recorded, so no data is returned; try again in a moment", request);
    }

    /** The firewall checks parameter names only when they are first read (a JSON body sent as a form): as at the door. */
    @ExceptionHandler(org.springframework.security.web.firewall.RequestRejectedException.class)
    ProblemDetail rejected(org.springframework.security.web.firewall.RequestRejectedException e, HttpServletRequest request) {
        return problem(HttpStatus.BAD_REQUEST, "rejected-url", "The request is not accepted", ErrorEndpoint.REJECTED, request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        if (e.getMostSpecificCause() != null && TextBinding.NUL_MESSAGE.equals(e.getMostSpecificCause().getMessage())) {
            ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "nul-character", "A text holds a NUL character",
                    "Parameter '" + e.getName() + "' " + TextBinding.NUL_MESSAGE + "; nothing was stored", request);
            p.setProperty("errors", List.of(new FieldError(e.getName(), TextBinding.NUL_MESSAGE)));
            return p;
        }
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "A parameter has the wrong format",
                "Parameter '" + e.getName() + "' must be a " + expected + ", got '" + e.getValue() + "'", request);
        p.setProperty("errors", List.of(new FieldError(e.getName(), "must be a " + expected)));
        return p;
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, HttpServletRequest request) {
        String incident = UUID.randomUUID().toString();
        log.error("Unexpected error, incident {} on {} {}", incident, request.getMethod(), request.getRequestURI(), e);
        ProblemDetail p = problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "Something went wrong on our side; nothing was changed. Quote incident " + incident + " to support.", request);
        p.setProperty("incident", incident);
        return p;
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        String detail = "The request body is not valid JSON for this operation";
        Throwable cause = ex.getMostSpecificCause();
        if (cause instanceof DateBounds.OutOfRange range) {
            // A date PostgreSQL cannot store, or no real one: an invalid field like any other, named by its path.
            String field = jsonPath(ex);
            String message = range.getMessage().startsWith("dates") ? "dates must have four-digit years (0001 to 9999)"
                    : org.dossier.platform.InputLimits.yearRangeMessage();
            ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT,
                    "'" + field + "': " + message + " (" + range.getMessage().replaceFirst("^.*(got year)", "$1") + "); nothing was stored");
            p.setType(URI.create(TYPE_BASE + "invalid-input"));
            p.setTitle("The request has invalid fields");
            p.setProperty("errors", List.of(new FieldError(field, message)));
            return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(p);
        } else if (cause != null && cause != ex && cause.getMessage() != null) {
            String message = cause.getMessage();
            int cut = message.indexOf("\n");
            detail += ": " + (cut > 0 ? message.substring(0, cut) : message);
        }
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        p.setType(URI.create(TYPE_BASE + "unreadable-body"));
        p.setTitle("Unreadable request body");
        return ResponseEntity.badRequest().body(p);
    }

    /** The JSON path of the value a body could not be read at ("coverage.validTo", "phones[0].number"). */
    private static String jsonPath(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof tools.jackson.core.JacksonException j && !j.getPath().isEmpty()) {
                StringBuilder path = new StringBuilder();
                for (tools.jackson.core.JacksonException.Reference r : j.getPath()) {
                    if (r.getPropertyName() != null) {
                        path.append(path.isEmpty() ? "" : ".").append(r.getPropertyName());
                    } else if (r.getIndex() >= 0) {
                        path.append('[').append(r.getIndex()).append(']');
                    }
                }
                return path.toString();
            }
        }
        return "a date";
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(f -> new FieldError(f.getField(), f.getDefaultMessage()))
                .toList();
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT,
                new InvalidInputException(errors).getMessage());
        p.setType(URI.create(TYPE_BASE + "invalid-input"));
        p.setTitle("The request has invalid fields");
        p.setProperty("errors", errors);
        return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(p);
    }

    private static ProblemDetail problem(HttpStatus status, String code, String title, String detail, HttpServletRequest request) {
        return Problems.of(status, code, title, detail, request);
    }
}
