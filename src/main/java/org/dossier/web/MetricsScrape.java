package org.dossier.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code /actuator/prometheus} answers only to the scrape token ({@code Authorization: Bearer $DOSSIER_METRICS_TOKEN}),
 * on the main port, so that the load balancer's health checks and Prometheus reach a node the same way. Without a token
 * configured it answers no one. The metrics name no patient, but they tell an outsider how busy, how watched and how
 * frozen the hospital is: not for the public (ADR 0036). Its own filter chain, before the application's: a scraper has no
 * session, no CSRF token and no second factor, and its token is not an API token.
 */
@Configuration(proxyBeanMethods = false)
class MetricsScrape {

    static final String PATH = "/actuator/prometheus";
    static final String AUTHORITY = "METRICS_SCRAPE";
    /** A token shorter than this is refused at start: it is a password that a machine sends, it can be long. */
    static final int MIN_TOKEN_LENGTH = 32;

    @Bean
    @Order(1)
    @ConditionalOnWebApplication
    SecurityFilterChain metricsScrapeChain(HttpSecurity http, @Value("${dossier.metrics.token:}") String token) throws Exception {
        String configured = token.strip();
        if (!configured.isEmpty() && configured.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalStateException("DOSSIER_METRICS_TOKEN is shorter than " + MIN_TOKEN_LENGTH
                    + " characters; make one with `openssl rand -hex 32`");
        }
        byte[] expected = configured.isEmpty() ? null : configured.getBytes(StandardCharsets.UTF_8);
        return http.securityMatcher(PATH)
                .authorizeHttpRequests(auth -> auth.anyRequest().hasAuthority(AUTHORITY))
                .addFilterBefore(new TokenFilter(expected), AnonymousAuthenticationFilter.class)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .securityContext(context -> context.requireExplicitSave(true))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> refuse(response))
                        .accessDeniedHandler((request, response, ex) -> refuse(response)))
                .build();
    }

    private static void refuse(HttpServletResponse response) throws IOException {
        response.setStatus(HttpStatus.UNAUTHORIZED.value());
        response.setHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write("{\"type\":\"https://dossier.example/problems/unauthorized\",\"title\":\"Not signed in\","
                + "\"status\":401,\"detail\":\"Metrics answer only to the scrape token (Authorization: Bearer, DOSSIER_METRICS_TOKEN)\"}");
    }

    /** Authenticates the scraper when its bearer token is the configured one (compared in constant time). */
    private static final class TokenFilter extends OncePerRequestFilter {

        private final byte[] expected;

        TokenFilter(byte[] expected) {
            this.expected = expected;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (expected != null && header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    && MessageDigest.isEqual(expected, header.substring(7).strip().getBytes(StandardCharsets.UTF_8))) {
                var context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("metrics-scraper", null,
                        AuthorityUtils.createAuthorityList(AUTHORITY)));
                SecurityContextHolder.setContext(context);
            }
            chain.doFilter(request, response);
        }
    }
}
