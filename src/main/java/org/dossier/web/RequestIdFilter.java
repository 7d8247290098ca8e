package org.dossier.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.platform.FacilityScope;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id (the caller's X-Request-Id when it is a sane token, else a new one), written into
 * each audit entry and the logs and echoed in the response, so a complaint, a log line and an audit entry meet.
 * It also clears the request's facility scope once the request is done, so a pooled thread never carries it over,
 * and times the request for the metrics (the outermost filter sees every answer, refusals included).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Request-Id";
    static final String REASON_HEADER = "X-Dossier-Reason";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    private final RequestMetrics metrics;

    RequestIdFilter(RequestMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long started = metrics.started();
        String given = request.getHeader(HEADER);
        String id = given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        MDC.put("requestId", id);
        String reason = request.getHeader(REASON_HEADER);
        if (reason != null && !reason.isBlank()) {
            // The reason a user gives when the guard asks them to confirm an unusual access; kept in the audit entry.
            MDC.put("accessReason", reason.strip().replaceAll("\\p{Cntrl}", " ").substring(0, Math.min(reason.strip().length(), 300)));
        }
        response.setHeader(HEADER, id);
        int status = 500; // what an exception escaping the chain becomes
        try {
            chain.doFilter(request, response);
            status = response.getStatus();
        } finally {
            metrics.done(request, status, started);
            MDC.remove("requestId");
            MDC.remove("accessReason");
            FacilityScope.clear();
        }
    }
}
