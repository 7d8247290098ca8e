package org.dossier.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rate and latency of the requests per endpoint group ({@code dossier_http_requests_seconds{group, outcome}}), and the
 * requests under way. Timed by {@link RequestIdFilter}, the outermost filter, so that a refusal by the outage filter, the
 * input filter or security counts too.
 *
 * <p>Spring's own per-request observation ({@code http.server.requests}) stays off (application.yaml): it cost ~5 % of the
 * CPU under load, and its {@code uri} tag is a per-route template we do not need. Here a request costs two clock reads, a
 * lookup in a fixed table of timers and one record: the tags are the group (api, fhir, pages, static, management) and the
 * status class, never a path, so no patient id can reach a metric and the series stay a few dozen.
 */
@org.springframework.stereotype.Component
class RequestMetrics {

    /** Endpoint groups, by path prefix; what is neither API, FHIR, management nor a static file is a page. */
    enum Group { API, FHIR, PAGES, STATIC, MANAGEMENT }

    private static final String[] OUTCOMES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    /** Buckets for the latency histogram: enough for alerting on a quantile, few enough to keep the scrape small. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final Timer[][] timers = new Timer[Group.values().length][OUTCOMES.length];
    private final AtomicInteger active = new AtomicInteger();

    RequestMetrics(MeterRegistry registry) {
        for (Group g : Group.values()) {
            for (int o = 0; o < OUTCOMES.length; o++) {
                timers[g.ordinal()][o] = Timer.builder("dossier.http.requests")
                        .description("HTTP requests by endpoint group and status class")
                        .tag("group", g.name().toLowerCase(java.util.Locale.ROOT)).tag("outcome", OUTCOMES[o])
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry);
            }
        }
        Gauge.builder("dossier.http.requests.active", active, AtomicInteger::get)
                .description("HTTP requests under way (a graceful shutdown waits for them)").register(registry);
    }

    /** Marks a request as started; returns the time to hand back to {@link #done}. */
    long started() {
        active.incrementAndGet();
        return System.nanoTime();
    }

    void done(HttpServletRequest request, int status, long startedAt) {
        active.decrementAndGet();
        int outcome = status >= 100 && status < 600 ? status / 100 - 1 : 4;
        timers[group(request).ordinal()][outcome].record(System.nanoTime() - startedAt, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    static Group group(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.startsWith("/api/")) {
            return Group.API;
        }
        if (path.startsWith("/fhir")) {
            return Group.FHIR;
        }
        if (path.startsWith("/actuator")) {
            return Group.MANAGEMENT;
        }
        if (path.startsWith("/css/") || path.startsWith("/js/") || path.startsWith("/images/") || path.startsWith("/webjars/")
                || path.equals("/favicon.ico")) {
            return Group.STATIC;
        }
        return Group.PAGES;
    }
}
