package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answers of the sign-in steps, as JSON: what comes next (a second factor, enrolment, or nothing),
 * with the new CSRF token of the session. Failures say nothing about which part was wrong.
 */
@Component
class LoginResponses implements AuthenticationSuccessHandler, AuthenticationFailureHandler {


    private final SessionRegistry sessions;
    private final TotpService totp;
    private final OrganizationService organization;
    private final JdbcClient jdbc;
    private final JsonMapper json;

    LoginResponses(SessionRegistry sessions, TotpService totp, OrganizationService organization, JdbcClient jdbc, JsonMapper json) {
        this.sessions = sessions;
        this.totp = totp;
        this.organization = organization;
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The sign-in state of an authentication, and the second factors the account can use. */
    Map<String, Object> state(Authentication authentication, HttpServletRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        StaffMember member = organization.staffByUsername(authentication.getName()).orElse(null);
        if (member == null) {
            body.put("status", "SIGNED_OUT");
            return body;
        }
        boolean hasTotp = totp.isConfirmed(member.id());
        boolean hasPasskey = hasPasskey(member.username());
        String status = Factors.full(authentication) ? "SIGNED_IN" : hasTotp || hasPasskey ? "SECOND_FACTOR_REQUIRED" : "ENROLMENT_REQUIRED";
        body.put("status", status);
        body.put("username", member.username());
        if (!"SIGNED_IN".equals(status)) {
            body.put("methods", hasTotp || hasPasskey ? methods(hasTotp, hasPasskey) : List.of("ENROL_TOTP", "ENROL_PASSKEY"));
        }
        CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        if (csrf != null) {
            body.put("csrfHeader", csrf.getHeaderName());
            body.put("csrfToken", csrf.getToken());
        }
        return body;
    }

    boolean hasSecondFactor(StaffMember member) {
        return totp.isConfirmed(member.id()) || hasPasskey(member.username());
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        StaffMember member = organization.staffByUsername(authentication.getName()).orElse(null);
        if (member != null) {
            sessions.record(request, member.id(), member.username());
            organization.preferredLanguage(member.id()).ifPresent(l -> request.getSession().setAttribute(AuthService.LANGUAGE_ATTRIBUTE,
                    java.util.Locale.forLanguageTag(l)));
        }
        Map<String, Object> state = state(authentication, request);
        if (Pages.wantsPage(request)) {
            String app = "SIGNED_IN".equals(state.get("status")) ? SmartAuthorizationServer.takeReturn(request, response) : null;
            if (app != null) {
                // Signed in to authorize an app (SMART): back to its authorization request, which asks for consent.
                response.sendRedirect(request.getContextPath() + app);
                return;
            }
            response.sendRedirect(request.getContextPath() + switch ((String) state.get("status")) {
                case "SIGNED_IN" -> "/";
                case "SECOND_FACTOR_REQUIRED" -> "/signin/second-factor";
                case "ENROLMENT_REQUIRED" -> "/signin/enrol";
                default -> "/signin?error";
            });
            return;
        }
        write(response, HttpStatus.OK, state);
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("dossier.security");

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        // The client learns nothing; the server log keeps why.
        log.info("sign-in step {} refused: {}", request.getRequestURI(), exception.getMessage());
        Map<String, Object> problem = new LinkedHashMap<>();
        if (Pages.wantsPage(request)) {
            String step = request.getRequestURI().endsWith("/login") ? "/signin" : "/signin/second-factor";
            String why = exception instanceof ThrottledPasswordProvider.ThrottledException throttled
                    ? "throttled=" + Math.max(1, throttled.cause.retryAfter().toSeconds()) : "error";
            response.sendRedirect(request.getContextPath() + step + "?" + why);
            return;
        }
        if (exception instanceof ThrottledPasswordProvider.ThrottledException throttled) {
            long seconds = Math.max(1, throttled.cause.retryAfter().toSeconds());
            response.setHeader("Retry-After", Long.toString(seconds));
            problem.put("type", "https://dossier.example/problems/too-many-attempts");
            problem.put("title", "Too many attempts");
            problem.put("status", 429);
            problem.put("detail", throttled.getMessage() + " (wait " + seconds + " s)");
            problem.put("retryAfterSeconds", seconds);
            write(response, HttpStatus.TOO_MANY_REQUESTS, problem);
            return;
        }
        problem.put("type", "https://dossier.example/problems/unauthorized");
        problem.put("title", "Not signed in");
        problem.put("status", 401);
        problem.put("detail", "Invalid credentials");
        write(response, HttpStatus.UNAUTHORIZED, problem);
    }

    boolean hasPasskey(String username) {
        return jdbc.sql("select exists (select 1 from user_credentials c join user_entities e on e.id = c.user_entity_user_id where e.name = ?)")
                .param(username).query(Boolean.class).single();
    }

    private static List<String> methods(boolean totp, boolean passkey) {
        List<String> m = new java.util.ArrayList<>();
        if (passkey) {
            m.add("PASSKEY");
        }
        if (totp) {
            m.add("TOTP");
        }
        m.add("RECOVERY_CODE");
        return m;
    }

    private void write(HttpServletResponse response, HttpStatus status, Map<String, Object> body) throws IOException {
        response.setStatus(status.value());
        response.setContentType(status.is2xxSuccessful() ? MediaType.APPLICATION_JSON_VALUE : MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write(json.writeValueAsString(body));
    }
}
