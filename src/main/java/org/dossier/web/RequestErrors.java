package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;

import java.net.URI;

/**
 * Errors raised before any controller is chosen (an upload over the size limit is refused while the request is
 * parsed): neither the API's nor the screens' handler applies to them, since each is bound to its kind of controller.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class RequestErrors {

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ProblemDetail tooLarge(HttpServletRequest request) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                "The upload is larger than the 10 MB allowed; nothing was stored");
        p.setType(URI.create("https://dossier.example/problems/too-large"));
        p.setTitle("Upload too large");
        p.setInstance(URI.create(request.getRequestURI()));
        return p;
    }
}
