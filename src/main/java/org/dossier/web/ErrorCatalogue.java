package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.audit.AuditUnavailableException;
import org.dossier.platform.AccountFrozenException;
import org.dossier.platform.BadRequestException;
import org.dossier.platform.ConflictException;
import org.dossier.platform.FieldError;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InputLimits;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.StepUpRequiredException;
import org.dossier.platform.TooManyRequestsException;
import org.dossier.platform.UnauthorizedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Component;
import org.springframework.validation.BindException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one catalogue of error answers for every channel: which status, problem code, title and message each error gets,
 * and the one place that audits the refusals no service recorded and logs the unexpected. The REST API renders the
 * answer as RFC 9457 problem details ({@link ApiProblemHandler}), the pages as an error page ({@link PageErrors}) and
 * FHIR as an OperationOutcome ({@code fhir.FhirCalls}); what is refused before any controller is written by
 * {@link Problems}.
 */
@Component
public class ErrorCatalogue {

    private static final Logger log = LoggerFactory.getLogger(ErrorCatalogue.class);

    /**
     * A request attribute naming, as a key of the messages, why a page request was refused before any controller (a form
     * whose CSRF token had expired): the error page says it.
     */
    public static final String PAGE_MESSAGE_ATTRIBUTE = "dossier.errorMessage";

    /** One error's answer: the status, a stable code (the problem type's last segment), a title and what to do. */
    public record Answer(HttpStatus status, String code, String title, String detail, Map<String, Object> properties,
                         Duration retryAfter) {

        Answer(HttpStatus status, String code, String title, String detail) {
            this(status, code, title, detail, Map.of(), null);
        }

        Answer with(String property, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(properties);
            more.put(property, value);
            return new Answer(status, code, title, detail, more, retryAfter);
        }

        /** True for an error of ours rather than of the request (a 5xx other than a dependency's outage). */
        public boolean unexpected() {
            return status == HttpStatus.INTERNAL_SERVER_ERROR;
        }

        ProblemDetail problem(HttpServletRequest request) {
            ProblemDetail p = Problems.of(status, code, title, detail, request);
            properties.forEach(p::setProperty);
            if (retryAfter != null) {
                p.setProperty("retryAfterSeconds", retryAfter.toSeconds());
            }
            return p;
        }
    }

    private final RefusalAuditor refusals;

    ErrorCatalogue(RefusalAuditor refusals) {
        this.refusals = refusals;
    }

    /**
     * The answer to {@code e} on {@code request}: a refusal that nothing audited is audited now (once, whichever channel
     * answers), and an unexpected error is logged with an incident number the answer quotes.
     */
    public Answer answer(HttpServletRequest request, Throwable e) {
        if (e instanceof RuntimeException runtime) {
            refusals.audit(request, runtime);
        }
        Answer answer = classify(e);
        if (isForm(request)) {
            // A form's field, not the address: an invalid field of a well-formed request, like any other (422).
            if (e instanceof MethodArgumentTypeMismatchException m && "invalid-parameter".equals(answer.code())) {
                answer = invalidFields(List.of(new org.springframework.validation.FieldError("form", m.getName(), "has the wrong format")));
            } else if (e instanceof MissingServletRequestParameterException m) {
                answer = invalidFields(List.of(new org.springframework.validation.FieldError("form", m.getParameterName(), "is required")));
            } else if (e instanceof org.springframework.web.multipart.support.MissingServletRequestPartException m) {
                answer = invalidFields(List.of(new org.springframework.validation.FieldError("form", m.getRequestPartName(), "is required")));
            }
        }
        if (answer.unexpected()) {
            String incident = UUID.randomUUID().toString();
            log.error("Unexpected error, incident {} on {} {}", incident, request.getMethod(), request.getRequestURI(), e);
            return new Answer(answer.status(), answer.code(), answer.title(),
                    "Something went wrong on our side; nothing was changed. Quote incident " + incident + " to support.",
                    Map.of("incident", incident), null);
        }
        if (e instanceof AuditUnavailableException) {
            log.error("Audit trail unavailable on {} {}: refusing to answer", request.getMethod(), request.getRequestURI(), e);
        } else if (e instanceof IllegalArgumentException) {
            log.warn("Refused as invalid on {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
        }
        return answer;
    }

    /** The catalogue itself: the answer an error gets, whatever channel renders it. Neither audits nor logs. */
    public static Answer classify(Throwable e) {
        if (e instanceof Exception failure && org.dossier.platform.DatabaseAvailability.isConnectionFailure(failure)) {
            // The database went away under the request (docs/decisions/0021-supervised-database.md): nothing was read or changed.
            return new Answer(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable", "Temporarily unavailable",
                    "The database is unavailable for a moment, so nothing was read or changed; try again", Map.of(), Duration.ofSeconds(5));
        }
        Answer answer = ofOurs(e);
        if (answer == null) {
            answer = ofSecurity(e);
        }
        if (answer == null) {
            answer = ofSpring(e);
        }
        if (answer != null) {
            return answer;
        }
        if (e instanceof IllegalArgumentException) {
            // A value no parser of ours accepts (an enum code, an identifier): the request's error, never a 500.
            return new Answer(HttpStatus.BAD_REQUEST, "invalid-request", "The request cannot be processed",
                    e.getMessage() == null ? "A value of the request is not valid" : e.getMessage());
        }
        return new Answer(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "Something went wrong on our side; nothing was changed.");
    }

    /** The platform's error vocabulary, as the modules throw it; null for anything else. */
    private static Answer ofOurs(Throwable e) {
        if (e instanceof InvalidInputException i) {
            return new Answer(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-input", "The request has invalid fields", i.getMessage())
                    .with("errors", i.errors());
        } else if (e instanceof BadRequestException b) {
            return new Answer(HttpStatus.BAD_REQUEST, b.code(), "The request cannot be processed", b.getMessage());
        } else if (e instanceof NotFoundException) {
            return new Answer(HttpStatus.NOT_FOUND, "not-found", "Not found", e.getMessage());
        } else if (e instanceof ConflictException c) {
            Answer a = new Answer(HttpStatus.CONFLICT, c.code(), "Conflict with the current state", c.getMessage());
            for (Map.Entry<String, Object> d : c.details().entrySet()) {
                a = a.with(d.getKey(), d.getValue());
            }
            return a;
        } else if (e instanceof AccountFrozenException) {
            return new Answer(HttpStatus.FORBIDDEN, "account-frozen", "Account frozen", e.getMessage());
        } else if (e instanceof StepUpRequiredException) {
            return new Answer(HttpStatus.FORBIDDEN, "step-up-required", "Confirm it is you", e.getMessage())
                    .with("stepUp", "/api/auth/step-up");
        } else if (e instanceof ForbiddenException) {
            return new Answer(HttpStatus.FORBIDDEN, "forbidden", "Not allowed", e.getMessage());
        } else if (e instanceof TooManyRequestsException t) {
            return new Answer(HttpStatus.TOO_MANY_REQUESTS, "too-many-attempts", "Too many attempts", t.getMessage(), Map.of(),
                    Duration.ofSeconds(Math.max(1, t.retryAfter().toSeconds())));
        } else if (e instanceof UnauthorizedException) {
            return new Answer(HttpStatus.UNAUTHORIZED, "unauthorized", "Not signed in", e.getMessage());
        } else if (e instanceof org.dossier.platform.crypto.FieldCipher.SealedValueException) {
            // The database answered a value that fails its seal: an invalid answer from upstream (502), not our code's
            // error (500) nor the request's (4xx); retrying will not help (not 503). See ADR 0056.
            return new Answer(HttpStatus.BAD_GATEWAY, "record-integrity", "Part of the record failed its integrity check",
                    "A stored value of this record does not match its seal, so nothing of it was shown and nothing was changed. "
                            + "The security officer has been alerted; quote the time of this message to them.");
        } else if (e instanceof AuditUnavailableException) {
            return new Answer(HttpStatus.SERVICE_UNAVAILABLE, "audit-unavailable", "Temporarily unavailable",
                    "The access could not be recorded, so no data is returned; try again in a moment", Map.of(), Duration.ofSeconds(5));
        }
        return null;
    }

    /** Spring Security's refusals; null for anything else. */
    private static Answer ofSecurity(Throwable e) {
        if (e instanceof AccessDeniedException) {
            return new Answer(HttpStatus.FORBIDDEN, "forbidden", "Not allowed", "You are not allowed to do this");
        } else if (e instanceof AuthenticationException) {
            return new Answer(HttpStatus.UNAUTHORIZED, "unauthorized", "Not signed in", "Sign in with a second factor or a valid token");
        } else if (e instanceof org.springframework.security.web.firewall.RequestRejectedException) {
            return new Answer(HttpStatus.BAD_REQUEST, "rejected-url", "The request is not accepted", ErrorEndpoint.REJECTED);
        }
        return null;
    }

    /** Spring MVC's refusals of a request it cannot bind or read; null for anything else. */
    private static Answer ofSpring(Throwable e) {
        if (e instanceof MethodArgumentTypeMismatchException m) {
            return typeMismatch(m);
        } else if (e instanceof MissingServletRequestParameterException m) {
            return new Answer(HttpStatus.BAD_REQUEST, "missing-parameter", "A parameter is missing",
                    "Parameter '" + m.getParameterName() + "' is required").with("errors",
                    List.of(new FieldError(m.getParameterName(), "is required")));
        } else if (e instanceof org.springframework.web.bind.MethodArgumentNotValidException v) {
            return invalidFields(v.getBindingResult().getFieldErrors());
        } else if (e instanceof BindException b) {
            return invalidFields(b.getFieldErrors());
        } else if (e instanceof HttpMessageNotReadableException r) {
            return unreadable(r);
        } else if (e instanceof org.springframework.web.multipart.support.MissingServletRequestPartException m) {
            return new Answer(HttpStatus.BAD_REQUEST, "missing-part", "A part of the upload is missing",
                    "Part '" + m.getRequestPartName() + "' is required; nothing was stored")
                    .with("errors", List.of(new FieldError(m.getRequestPartName(), "is required")));
        } else if (e instanceof org.springframework.web.multipart.MultipartException m) {
            return multipart(m);
        } else if (e instanceof ErrorResponse spring) {
            // The rest of Spring MVC's own refusals (method not allowed, unsupported media type, no such page…).
            HttpStatus status = HttpStatus.resolve(spring.getStatusCode().value());
            ProblemDetail body = spring.getBody();
            return new Answer(status == null ? HttpStatus.BAD_REQUEST : status, codeOf(status), body.getTitle() == null ? "Request refused"
                    : body.getTitle(), body.getDetail() == null ? "The request cannot be processed" : body.getDetail());
        }
        return null;
    }

    private static Answer multipart(org.springframework.web.multipart.MultipartException e) {
        if (e instanceof org.springframework.web.multipart.MaxUploadSizeExceededException) {
            return new Answer(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Upload too large",
                    "The upload is larger than the 10 MB allowed; nothing was stored");
        }
        // A multipart body that cannot be parsed (no boundary, cut short, a file name holding NUL) is the client's error.
        Throwable cause = e.getMostSpecificCause();
        String why = cause == e || cause.getMessage() == null ? "" : ": " + cause.getMessage().replace('\u0000', '?');
        return new Answer(HttpStatus.BAD_REQUEST, "unreadable-body", "Unreadable request body",
                "The multipart body cannot be read" + (why.length() > 200 ? why.substring(0, 200) : why) + "; nothing was stored");
    }

    private static boolean isForm(HttpServletRequest request) {
        String type = request.getContentType();
        return "POST".equals(request.getMethod()) && type != null
                && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"));
    }

    private static Answer typeMismatch(MethodArgumentTypeMismatchException e) {
        if (e.getMostSpecificCause() != null && TextBinding.NUL_MESSAGE.equals(e.getMostSpecificCause().getMessage())) {
            return new Answer(HttpStatus.BAD_REQUEST, "nul-character", "A text holds a NUL character",
                    "Parameter '" + e.getName() + "' " + TextBinding.NUL_MESSAGE + "; nothing was stored")
                    .with("errors", List.of(new FieldError(e.getName(), TextBinding.NUL_MESSAGE)));
        }
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
        return new Answer(HttpStatus.BAD_REQUEST, "invalid-parameter", "A parameter has the wrong format",
                "Parameter '" + e.getName() + "' must be a " + expected + ", got '" + e.getValue() + "'")
                .with("errors", List.of(new FieldError(e.getName(), "must be a " + expected)));
    }

    private static Answer invalidFields(List<org.springframework.validation.FieldError> fieldErrors) {
        List<FieldError> errors = fieldErrors.stream()
                .map(f -> new FieldError(f.getField(), f.getDefaultMessage() == null || f.isBindingFailure()
                        ? "has the wrong format" : f.getDefaultMessage()))
                .toList();
        String detail = errors.isEmpty() ? "The form is invalid" : errors.stream().map(f -> "'" + f.field() + "' " + f.message())
                .distinct().collect(java.util.stream.Collectors.joining(", "));
        return new Answer(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-input", "The request has invalid fields", detail)
                .with("errors", errors);
    }

    private static Answer unreadable(HttpMessageNotReadableException ex) {
        Throwable cause = ex.getMostSpecificCause();
        if (cause instanceof DateBounds.OutOfRange range) {
            // A date PostgreSQL cannot store, or no real one: an invalid field like any other, named by its path.
            String field = jsonPath(ex);
            String message = range.getMessage().startsWith("dates") ? "dates must have four-digit years (0001 to 9999)"
                    : InputLimits.yearRangeMessage();
            return new Answer(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-input", "The request has invalid fields",
                    "'" + field + "': " + message + " (" + range.getMessage().replaceFirst("^.*(got year)", "$1") + "); nothing was stored")
                    .with("errors", List.of(new FieldError(field, message)));
        }
        String detail = "The request body is not valid JSON for this operation";
        if (cause != null && cause != ex && cause.getMessage() != null) {
            String message = cause.getMessage();
            int cut = message.indexOf("\n");
            detail += ": " + (cut > 0 ? message.substring(0, cut) : message);
        }
        return new Answer(HttpStatus.BAD_REQUEST, "unreadable-body", "Unreadable request body", detail);
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

    private static String codeOf(HttpStatus status) {
        if (status == null) {
            return "bad-request";
        }
        return switch (status) {
            case NOT_FOUND -> "not-found";
            case METHOD_NOT_ALLOWED -> "method-not-allowed";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported-media-type";
            case NOT_ACCEPTABLE -> "not-acceptable";
            case CONTENT_TOO_LARGE -> "too-large";
            default -> status.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        };
    }
}
