package org.dossier.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one catalogue of error answers: the controllers' advice ({@link ApiProblemHandler}) builds its problems here,
 * and what is refused before any controller (the input filter, the firewall, the container's error dispatch) is
 * written here too, as an RFC 9457 problem — or, under {@code /fhir}, as the OperationOutcome FHIR clients expect.
 */
final class Problems {

    static final String TYPE_BASE = "https://dossier.example/problems/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    static ProblemDetail of(HttpStatus status, String code, String title, String detail, HttpServletRequest request) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create(TYPE_BASE + code));
        p.setTitle(title);
        if (request != null) {
            p.setInstance(URI.create(safePath(request)));
        }
        return p;
    }

    /** Writes a problem directly (outside Spring MVC), unless the answer has already started. */
    static void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail p) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(p.getStatus());
        response.setCharacterEncoding("UTF-8");
        response.setContentType(contentType(request.getRequestURI()));
        response.getWriter().write(text(request.getRequestURI(), p));
    }

    /** The media type of a problem at this path: FHIR clients get an OperationOutcome. */
    static String contentType(String uri) {
        return isFhir(uri) ? "application/fhir+json" : "application/problem+json";
    }

    /** The problem as JSON: RFC 9457, or under {@code /fhir} an OperationOutcome. */
    static String text(String uri, ProblemDetail p) {
        if (isFhir(uri)) {
            Map<String, Object> issue = new LinkedHashMap<>();
            issue.put("severity", "error");
            issue.put("code", p.getStatus() == 413 ? "too-long" : p.getStatus() == 404 ? "not-found" : p.getStatus() == 503 ? "transient" : "invalid");
            issue.put("diagnostics", p.getDetail());
            return JSON.writeValueAsString(Map.of("resourceType", "OperationOutcome", "issue", List.of(issue)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", p.getType().toString());
        body.put("title", p.getTitle());
        body.put("status", p.getStatus());
        body.put("detail", p.getDetail());
        if (p.getInstance() != null) {
            body.put("instance", p.getInstance().toString());
        }
        if (p.getProperties() != null) {
            body.putAll(p.getProperties());
        }
        return JSON.writeValueAsString(body);
    }

    private static boolean isFhir(String uri) {
        return uri != null && (uri.startsWith("/fhir/") || uri.equals("/fhir"));
    }

    /** The request's path as an instance URI; a path that is not a valid URI is not echoed. */
    private static String safePath(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (path == null) {
            return "/";
        }
        try {
            URI.create(path);
            return path.length() > 200 ? path.substring(0, 200) : path;
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }
}
