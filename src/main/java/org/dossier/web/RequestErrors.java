package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

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

    /** A multipart body that cannot be parsed (no boundary, cut short, a file name holding NUL) is the client's error. */
    @ExceptionHandler(MultipartException.class)
    ProblemDetail unreadable(MultipartException e, HttpServletRequest request) {
        Throwable cause = e.getMostSpecificCause();
        String why = cause == e || cause.getMessage() == null ? "" : ": " + cause.getMessage().replace('\u0000', '?');
        return Problems.of(HttpStatus.BAD_REQUEST, "unreadable-body", "Unreadable request body",
                "The multipart body cannot be read" + (why.length() > 200 ? why.substring(0, 200) : why) + "; nothing was stored", request);
    }
}
