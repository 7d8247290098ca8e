package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;

import java.util.Set;

/**
 * CSRF tokens kept in the session, as Spring Security keeps them, except that no session is created to hold one
 * unless the request starts a sign-in (the sign-in and enrolment-link screens, and the token call of API clients
 * that sign in like a browser). Anywhere else an anonymous request would otherwise store a session row (a POST
 * without a token, a page rendering a form for an error): a flood of them costs the database nothing, and the token
 * such a request would get could not be used anyway, since it has no session to match.
 */
final class SignInCsrfTokens implements CsrfTokenRepository {

    /** Where a person (or a browser-like client) starts signing in: the only places an anonymous session begins. */
    static final Set<String> SIGN_IN_STARTS = Set.of("/signin", "/signin/link", "/api/auth/csrf");

    private final HttpSessionCsrfTokenRepository sessions = new HttpSessionCsrfTokenRepository();

    @Override
    public CsrfToken generateToken(HttpServletRequest request) {
        return sessions.generateToken(request);
    }

    @Override
    public void saveToken(CsrfToken token, HttpServletRequest request, HttpServletResponse response) {
        if (token != null && request.getSession(false) == null && !startsSignIn(request)) {
            return;
        }
        sessions.saveToken(token, request, response);
    }

    @Override
    public CsrfToken loadToken(HttpServletRequest request) {
        return sessions.loadToken(request);
    }

    private static boolean startsSignIn(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod())) && SIGN_IN_STARTS.contains(path);
    }
}
