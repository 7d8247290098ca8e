package org.dossier.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.platform.DatabaseAvailability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * The answer while the database is away: 503 with {@code Retry-After}, at once — a problem for the API, an
 * OperationOutcome under /fhir, a short page for a browser. Outside everything that needs the database (sessions,
 * sign-in, the gateway), so that no request waits on a pool that has nothing to give; a request already under way when
 * the database went gets the same answer from the failure it meets (docs/decisions/0021-supervised-database.md).
 */
@Component
class DatabaseOutages extends OncePerRequestFilter implements HandlerExceptionResolver, Ordered {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutages.class);
    /**
     * What needs no database: the health answer (which says DOWN itself), the metrics (which matter most during an outage)
     * and the files the outage page uses.
     */
    private static final Set<String> PASS = Set.of("/actuator/health", "/actuator/prometheus", "/css/", "/js/", "/images/", "/webjars/", "/favicon.ico");

    private final DatabaseAvailability availability;
    private final ITemplateEngine templates;

    DatabaseOutages(DatabaseAvailability availability, ITemplateEngine templates) {
        this.availability = availability;
        this.templates = templates;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!availability.isUp() && !passes(request.getRequestURI())) {
            answer(request, response);
            return;
        }
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            // What fails outside the controllers (the session saved at the end of the request, a token looked up while
            // signing in) and is the outage's doing.
            if (response.isCommitted() || !availability.explains(e)) {
                throw e;
            }
            log.warn("{} {} failed, the database being unavailable: {}", request.getMethod(), request.getRequestURI(), e.toString());
            answer(request, response);
        }
    }

    /** Controllers' failures that are the outage's doing, before the API's and the screens' own handlers see them. */
    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler, Exception e) {
        if (response.isCommitted() || !availability.explains(e)) {
            return null;
        }
        log.warn("{} {} failed, the database being unavailable: {} (SQLSTATE {})", request.getMethod(), request.getRequestURI(), e,
                sqlStates(e));
        try {
            answer(request, response);
        } catch (IOException io) {
            log.debug("Could not write the 503 answer", io);
        }
        return new ModelAndView();
    }

    /**
     * As a filter: after the request id (so the 503 carries it), before the session and security filters (which read the
     * database). As a resolver: before the controllers' advice, which would answer 500 or 503 without Retry-After.
     */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 2;
    }

    private static String sqlStates(Throwable e) {
        StringBuilder states = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                states.append(states.isEmpty() ? "" : ", ").append(sql.getSQLState());
            }
        }
        return states.isEmpty() ? "none" : states.toString();
    }

    private static boolean passes(String uri) {
        return PASS.stream().anyMatch(p -> uri.equals(p) || (p.endsWith("/") || p.equals("/actuator/health")) && uri.startsWith(p));
    }

    private void answer(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long retryAfter = availability.retryAfterSeconds();
        response.resetBuffer();
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        String uri = request.getRequestURI();
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains("text/html") && !uri.startsWith("/api/") && !uri.startsWith("/fhir")) {
            page(request, response, retryAfter);
            return;
        }
        ProblemDetail p = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable", "Temporarily unavailable",
                "The database is unavailable for a moment (it is being restarted); nothing was read or changed. Try again in "
                        + retryAfter + " seconds.", request);
        p.setProperty("retryAfterSeconds", retryAfter);
        Problems.write(request, response, p);
    }

    private void page(HttpServletRequest request, HttpServletResponse response, long retryAfter) throws IOException {
        Locale locale = "fr".equals(request.getLocale().getLanguage()) ? Locale.FRENCH : Locale.ENGLISH;
        Context context = new Context(locale);
        String self = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        // Only a page that was being read is asked for again; never a form's answer, nor a path that would leave the site.
        context.setVariable("retryUrl", "GET".equals(request.getMethod()) && !self.startsWith("//") ? self : null);
        context.setVariable("retryAfter", retryAfter);
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'");
        response.getWriter().write(templates.process("web/unavailable", context));
    }
}
