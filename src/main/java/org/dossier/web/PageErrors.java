package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.platform.AccountFrozenException;
import org.dossier.platform.StepUpRequiredException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.servlet.ModelAndView;


/**
 * The screens' answer to a refused or failed request: a page with the real status, a message a person can act on,
 * and a way on (sign in again, confirm with a second factor, go back) — never a stack trace. The status and message
 * come from the {@link ErrorCatalogue}, which audits the refusals no service audited itself, as for the API and FHIR.
 */
@ControllerAdvice(annotations = Controller.class)
@Order(Ordered.LOWEST_PRECEDENCE)
class PageErrors {

    private static final Logger log = LoggerFactory.getLogger(PageErrors.class);

    private final ErrorCatalogue catalogue;
    private final Navigation navigation;

    PageErrors(ErrorCatalogue catalogue, Navigation navigation) {
        this.catalogue = catalogue;
        this.navigation = navigation;
    }

    @ExceptionHandler(AccountFrozenException.class)
    ModelAndView frozen(HttpServletRequest request) {
        request.getSession().invalidate();
        ModelAndView page = page("web/frozen", HttpStatus.FORBIDDEN, "error.frozen.title", null);
        // Signed out now: no menu, no name.
        page.addObject("me", null);
        return page;
    }

    @ExceptionHandler(StepUpRequiredException.class)
    ModelAndView stepUp(StepUpRequiredException e, HttpServletRequest request) {
        ModelAndView page = page("web/step-up", HttpStatus.FORBIDDEN, "stepup.title", e.getMessage());
        // A page that was being read is read again once confirmed; a form's answer goes back to the page it came from.
        String self = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        page.addObject("next", "GET".equals(request.getMethod()) ? self : backTo(request.getHeader("Referer")));
        // The guard's question also wants the reason, which the audit entry keeps (the header X-Dossier-Reason of the API).
        page.addObject("guardAsked", e.reasonRequired());
        return page;
    }

    /** Where to send the person once confirmed: the page they came from on this site, else home (/step-up checks it again). */
    private static String backTo(String referer) {
        try {
            String path = referer == null ? null : java.net.URI.create(referer).getRawPath();
            return path == null || path.isEmpty() ? "/" : path;
        } catch (IllegalArgumentException malformed) {
            return "/";
        }
    }

    /** Any other error: the catalogue's answer (audited there if a refusal), on the error page with its real status. */
    @ExceptionHandler(Exception.class)
    ModelAndView error(Exception e, HttpServletRequest request, HttpServletResponse response) {
        ErrorCatalogue.Answer answer = catalogue.answer(request, e);
        if (answer.retryAfter() != null) {
            response.setHeader("Retry-After", Long.toString(answer.retryAfter().toSeconds()));
        }
        String titleKey = switch (answer.status()) {
            case NOT_FOUND -> "error.notFound";
            case FORBIDDEN, UNAUTHORIZED -> "error.forbidden";
            case CONFLICT -> "error.conflict";
            case TOO_MANY_REQUESTS -> "error.tooMany";
            case SERVICE_UNAVAILABLE -> "error.auditUnavailable";
            case BAD_GATEWAY -> "error.integrity";
            case INTERNAL_SERVER_ERROR -> "error.internal";
            default -> "error.invalid";
        };
        if (answer.unexpected()) {
            ModelAndView page = page("web/error", answer.status(), titleKey, null);
            page.addObject("incident", answer.properties().get("incident"));
            return page;
        }
        // A refusal by Spring Security carries no message of ours; the page's title says it.
        boolean ours = !(e instanceof org.springframework.security.access.AccessDeniedException) && answer.status() != HttpStatus.SERVICE_UNAVAILABLE;
        return page("web/error", answer.status(), titleKey, ours ? answer.detail() : null);
    }

    private ModelAndView page(String view, HttpStatus status, String titleKey, String detail) {
        ModelAndView page = new ModelAndView(view, status);
        var attributes = (org.springframework.web.context.request.ServletRequestAttributes)
                org.springframework.web.context.request.RequestContextHolder.currentRequestAttributes();
        page.addObject("me", navigation.me(attributes.getRequest()));
        page.addObject("status", status.value());
        page.addObject("titleKey", titleKey);
        page.addObject("detail", detail);
        return page;
    }
}
