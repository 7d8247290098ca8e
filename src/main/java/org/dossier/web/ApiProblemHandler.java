package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The REST API's answer to any error: the {@link ErrorCatalogue}'s answer as RFC 9457 problem details, so that every
 * bad request gets a message a person can act on and never a stack trace.
 */
@RestControllerAdvice(annotations = org.springframework.web.bind.annotation.RestController.class)
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
class ApiProblemHandler {

    private final ErrorCatalogue catalogue;

    ApiProblemHandler(ErrorCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> answer(Exception e, HttpServletRequest request) {
        ErrorCatalogue.Answer answer = catalogue.answer(request, e);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(answer.status());
        if (answer.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(answer.retryAfter().toSeconds()));
        }
        if (e instanceof org.springframework.web.HttpRequestMethodNotSupportedException m && m.getSupportedHttpMethods() != null) {
            response.allow(m.getSupportedHttpMethods().toArray(org.springframework.http.HttpMethod[]::new));
        }
        return response.contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(answer.problem(request));
    }
}
