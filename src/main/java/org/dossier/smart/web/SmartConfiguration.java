package org.dossier.smart.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.identity.AppGrant;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SMART App Launch discovery ({@code /.well-known/smart-configuration}), at the server's root and under the FHIR base,
 * where apps look for it. A filter rather than a controller: {@code /fhir/*} belongs to the HAPI servlet.
 */
@Component
class SmartConfiguration extends OncePerRequestFilter {

    static final String PATH = "/.well-known/smart-configuration";

    private final JsonMapper json;

    SmartConfiguration(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(PATH.equals(path) || ("/fhir" + PATH).equals(path));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String root = request.getScheme() + "://" + request.getServerName()
                + (request.getServerPort() == 80 || request.getServerPort() == 443 ? "" : ":" + request.getServerPort())
                + request.getContextPath();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("issuer", root);
        body.put("jwks_uri", root + "/oauth2/jwks");
        body.put("authorization_endpoint", root + "/oauth2/authorize");
        body.put("token_endpoint", root + "/oauth2/token");
        body.put("revocation_endpoint", root + "/oauth2/revoke");
        body.put("introspection_endpoint", root + "/oauth2/introspect");
        body.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post", "none"));
        body.put("grant_types_supported", List.of("authorization_code", "refresh_token"));
        body.put("response_types_supported", List.of("code"));
        body.put("code_challenge_methods_supported", List.of("S256"));
        body.put("scopes_supported", List.copyOf(AppGrant.supportedScopes()));
        body.put("capabilities", List.of("launch-standalone", "launch-ehr", "client-public", "client-confidential-symmetric",
                "context-standalone-patient", "context-ehr-patient", "permission-v1", "permission-v2", "permission-patient",
                "permission-user", "permission-offline", "sso-openid-connect"));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setHeader("Cache-Control", "max-age=3600");
        if ("GET".equals(request.getMethod())) {
            response.getWriter().write(json.writeValueAsString(body));
        }
    }
}
