package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MultipartException;

/**
 * Errors raised before any controller is chosen (an upload over the size limit, a multipart body that cannot be
 * parsed): neither the API's nor the screens' handler applies to them, since each is bound to its kind of controller.
 * They are answered from the same {@link ErrorCatalogue}.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class RequestErrors {

    private final ErrorCatalogue catalogue;

    RequestErrors(ErrorCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    @ExceptionHandler({MultipartException.class, org.springframework.security.web.firewall.RequestRejectedException.class})
    ResponseEntity<ProblemDetail> unreadable(Exception e, HttpServletRequest request) {
        ErrorCatalogue.Answer answer = catalogue.answer(request, e);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(answer.status());
        if (answer.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(answer.retryAfter().toSeconds()));
        }
        return response.contentType(MediaType.APPLICATION_PROBLEM_JSON).body(answer.problem(request));
    }
}
