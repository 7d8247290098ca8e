package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;

/** What tells a browser page apart from an API call, for the answers of sign-in and of refusals. */
final class Pages {

    /**
     * No inline script or style anywhere: a script injected into a page has nowhere to run. Images may be data: URIs
     * (the enrolment QR code); nothing may frame the application.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private Pages() {
    }

    /** A browser navigating (it asks for HTML), outside the API and FHIR paths, which always answer in their own formats. */
    static boolean wantsPage(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.startsWith("/api/") || path.startsWith("/fhir") || path.startsWith("/webauthn/") || path.startsWith("/actuator")) {
            return false;
        }
        String accept = request.getHeader("Accept");
        return accept != null && accept.contains("text/html");
    }
}
