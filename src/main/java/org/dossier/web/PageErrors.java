package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.audit.AuditUnavailableException;
import org.dossier.platform.AccountFrozenException;
import org.dossier.platform.ConflictException;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.StepUpRequiredException;
import org.dossier.platform.TooManyRequestsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

import java.util.UUID;

/**
 * The screens' answer to a refused or failed request: a page with the real status, a message a person can act on,
 * and a way on (sign in again, confirm with a second factor, go back) — never a stack trace. Refusals no service
 * audited itself are written to the trail here, as the API does.
 */
@ControllerAdvice(annotations = Controller.class)
@Order(Ordered.LOWEST_PRECEDENCE)
class PageErrors {

    private static final Logger log = LoggerFactory.getLogger(PageErrors.class);

    private final RefusalAuditor refusals;
    private final Navigation navigation;

    PageErrors(RefusalAuditor refusals, Navigation navigation) {
        this.refusals = refusals;
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

    @ExceptionHandler(NotFoundException.class)
    ModelAndView notFound(NotFoundException e, HttpServletRequest request) {
        refusals.audit(request, e);
        return page("web/error", HttpStatus.NOT_FOUND, "error.notFound", e.getMessage());
    }

    @ExceptionHandler(ForbiddenException.class)
    ModelAndView forbidden(ForbiddenException e, HttpServletRequest request) {
        refusals.audit(request, e);
        return page("web/error", HttpStatus.FORBIDDEN, "error.forbidden", e.getMessage());
    }

    @ExceptionHandler(org.springframework.security.access.AccessDeniedException.class)
    ModelAndView accessDenied() {
        return page("web/error", HttpStatus.FORBIDDEN, "error.forbidden", null);
    }

    @ExceptionHandler({InvalidInputException.class, MethodArgumentTypeMismatchException.class,
            org.springframework.web.bind.MissingServletRequestParameterException.class, org.springframework.validation.BindException.class,
            org.springframework.web.multipart.support.MissingServletRequestPartException.class})
    ModelAndView invalid(Exception e) {
        String detail = e instanceof MethodArgumentTypeMismatchException m ? "'" + m.getName() + "' has the wrong format"
                : e instanceof org.springframework.web.bind.MissingServletRequestParameterException m ? "'" + m.getParameterName() + "' is required"
                : e instanceof org.springframework.web.multipart.support.MissingServletRequestPartException m ? "'" + m.getRequestPartName() + "' is required"
                : e instanceof org.springframework.validation.BindException b ? b.getFieldErrors().stream()
                        .map(f -> "'" + f.getField() + "' has the wrong format").distinct().reduce((x, y) -> x + ", " + y).orElse("the form is invalid")
                : e.getMessage();
        return page("web/error", HttpStatus.UNPROCESSABLE_CONTENT, "error.invalid", detail);
    }

    @ExceptionHandler(org.dossier.platform.BadRequestException.class)
    ModelAndView badRequest(org.dossier.platform.BadRequestException e) {
        return page("web/error", HttpStatus.BAD_REQUEST, "error.invalid", e.getMessage());
    }

    @ExceptionHandler(org.springframework.security.web.firewall.RequestRejectedException.class)
    ModelAndView rejected() {
        return page("web/error", HttpStatus.BAD_REQUEST, "error.invalid", ErrorEndpoint.REJECTED);
    }

    @ExceptionHandler(ConflictException.class)
    ModelAndView conflict(ConflictException e) {
        return page("web/error", HttpStatus.CONFLICT, "error.conflict", e.getMessage());
    }

    @ExceptionHandler(TooManyRequestsException.class)
    ModelAndView tooMany(TooManyRequestsException e, HttpServletResponse response) {
        response.setHeader("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        return page("web/error", HttpStatus.TOO_MANY_REQUESTS, "error.tooMany", e.getMessage());
    }

    @ExceptionHandler(AuditUnavailableException.class)
    ModelAndView auditUnavailable(AuditUnavailableException e, HttpServletRequest request) {
        log.error("Audit trail unavailable on {} {}: refusing to answer", request.getMethod(), request.getRequestURI(), e);
        return page("web/error", HttpStatus.SERVICE_UNAVAILABLE, "error.auditUnavailable", null);
    }

    @ExceptionHandler(Exception.class)
    ModelAndView unexpected(Exception e, HttpServletRequest request) {
        String incident = UUID.randomUUID().toString();
        log.error("Unexpected error, incident {} on {} {}", incident, request.getMethod(), request.getRequestURI(), e);
        ModelAndView page = page("web/error", HttpStatus.INTERNAL_SERVER_ERROR, "error.internal", null);
        page.addObject("incident", incident);
        return page;
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
