package org.dossier.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

import java.io.IOException;

/**
 * The answer to what fails outside any controller — the container's own refusals (a malformed URL, a path with a NUL)
 * and the firewall's — as a problem, in the same catalogue as the rest ({@link Problems}). Asked for directly,
 * {@code /error} is no page: 404.
 */
@org.springframework.stereotype.Controller
class ErrorEndpoint implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ErrorEndpoint.class);
    static final String REJECTED = "The request's URL, parameters or headers hold characters or sequences that are not allowed "
            + "(for example an encoded slash, a NUL or '..'); nothing was processed";

    @RequestMapping("/error")
    ModelAndView error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (request.getDispatcherType() != DispatcherType.ERROR || !(code instanceof Integer status)) {
            if (wantsPage(request, request.getRequestURI())) {
                return page(HttpStatus.NOT_FOUND);
            }
            Problems.write(request, response, Problems.of(HttpStatus.NOT_FOUND, "not-found", "Not found",
                    "There is nothing at " + request.getRequestURI(), request));
            return null;
        }
        HttpStatus resolved = HttpStatus.resolve(status);
        HttpStatus shown = resolved == null ? HttpStatus.INTERNAL_SERVER_ERROR : resolved;
        String detail = switch (shown) {
            case BAD_REQUEST -> "The request is malformed (its URL, headers or body) and was not processed; nothing was changed";
            case NOT_FOUND -> "There is nothing at this address";
            case METHOD_NOT_ALLOWED -> "This address does not take this method";
            case CONTENT_TOO_LARGE -> "The request is too large and was not processed";
            case UNSUPPORTED_MEDIA_TYPE -> "The body's media type is not accepted here; send application/json";
            default -> shown.is5xxServerError() ? "Something went wrong on our side; nothing was changed"
                    : "The request was refused (" + shown.getReasonPhrase() + ")";
        };
        if (shown.is5xxServerError()) {
            log.error("Error dispatch {} for {}", status, request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI),
                    (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
        }
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        HttpServletRequest failed = new ErrorUri(request, uri instanceof String s ? s : request.getRequestURI());
        if (wantsPage(request, failed.getRequestURI())) {
            ModelAndView page = page(shown);
            // A patient's error goes back to the portal, not to the staff's home they cannot enter.
            page.addObject("home", failed.getRequestURI().startsWith("/portal") ? "/portal" : "/");
            // Why, when the refusal said (a form whose CSRF token had expired): a key of the messages.
            if (request.getAttribute(ErrorCatalogue.PAGE_MESSAGE_ATTRIBUTE) instanceof String key) {
                page.addObject("messageKey", key);
            }
            return page;
        }
        Problems.write(failed, response,
                Problems.of(shown, shown.is4xxClientError() ? shown.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') : "internal-error", shown.getReasonPhrase(), detail,
                        failed));
        return null;
    }

    /** A browser asking for a screen gets the error screen; API and FHIR clients get a problem. */
    private static boolean wantsPage(HttpServletRequest request, String uri) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.contains("text/html") && !uri.startsWith("/api/") && !uri.startsWith("/fhir");
    }

    private static ModelAndView page(HttpStatus status) {
        ModelAndView page = new ModelAndView("error", status);
        page.addObject("status", status.value());
        return page;
    }

    /** The request seen with the URI that failed, so that a FHIR client gets an OperationOutcome. */
    private static final class ErrorUri extends jakarta.servlet.http.HttpServletRequestWrapper {
        private final String uri;

        ErrorUri(HttpServletRequest request, String uri) {
            super(request);
            this.uri = uri;
        }

        @Override
        public String getRequestURI() {
            return uri;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Firewall {

        /** A URL the firewall refuses (encoded slashes, NUL, '..') is a 400 problem, not a 500. */
        @Bean
        RequestRejectedHandler requestRejectedHandler() {
            return (request, response, e) -> Problems.write(request, response, Problems.of(HttpStatus.BAD_REQUEST, "rejected-url",
                    "The URL is not accepted", REJECTED, request));
        }

        /** Spring Security's strict firewall, its header and parameter-name rules checked without regular expressions. */
        @Bean
        HttpFirewall httpFirewall() {
            StrictHttpFirewall firewall = new StrictHttpFirewall();
            firewall.setAllowedHeaderNames(PrintableText::name);
            firewall.setAllowedHeaderValues(PrintableText::value);
            firewall.setAllowedParameterNames(PrintableText::name);
            return firewall;
        }
    }
}
