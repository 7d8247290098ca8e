package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;

/**
 * CSRF tokens bound to the session once there is one (from the password step on), and before that — on the sign-in
 * and enrolment-link screens, {@code GET /api/auth/csrf} — in a cookie: the login form is double-submitted, so a visit
 * to the sign-in screen stores nothing in the database.
 *
 * <p>The cookie is HttpOnly (the form's hidden field carries the token, masked per page; no script reads the cookie),
 * {@code SameSite=Strict} (a cross-site form arrives without it, so it cannot match) and, over HTTPS, named
 * {@code __Host-} so that no other host of the domain can set it (cookie tossing). A request with a session uses the
 * session's token only, never the cookie: a planted cookie is worth nothing against a signed-in session. Each sign-in
 * step forgets the token before it ({@code CsrfAuthenticationStrategy}), so a token known before sign-in is spent.
 */
final class CsrfTokens implements CsrfTokenRepository {

    static final String COOKIE = "DOSSIER_CSRF";
    /** Over HTTPS: Secure, Path=/ and no Domain, which the browser enforces for this prefix. */
    static final String HOST_COOKIE = "__Host-" + COOKIE;

    private final HttpSessionCsrfTokenRepository sessions = new HttpSessionCsrfTokenRepository();
    private final CookieCsrfTokenRepository plainCookie = cookie(COOKIE, false);
    private final CookieCsrfTokenRepository hostCookie = cookie(HOST_COOKIE, true);

    private static CookieCsrfTokenRepository cookie(String name, boolean secure) {
        CookieCsrfTokenRepository cookie = new CookieCsrfTokenRepository();
        cookie.setCookieName(name);
        // The same names as the session's token, so that pages, scripts and API clients need not know where it lives.
        cookie.setHeaderName("X-CSRF-TOKEN");
        cookie.setParameterName("_csrf");
        cookie.setCookiePath("/");
        cookie.setCookieCustomizer(c -> c.httpOnly(true).sameSite("Strict").secure(secure));
        return cookie;
    }

    @Override
    public CsrfToken generateToken(HttpServletRequest request) {
        return sessions.generateToken(request);
    }

    @Override
    public void saveToken(CsrfToken token, HttpServletRequest request, HttpServletResponse response) {
        boolean hasSession = request.getSession(false) != null;
        if (token == null) {
            // Signing in or out: the token of the step before is forgotten wherever it was.
            if (hasSession) {
                sessions.saveToken(null, request, response);
            }
            CookieCsrfTokenRepository cookie = cookieOf(request);
            if (cookie.loadToken(request) != null) {
                cookie.saveToken(null, request, response);
            }
        } else if (hasSession) {
            sessions.saveToken(token, request, response);
        } else {
            cookieOf(request).saveToken(token, request, response);
        }
    }

    @Override
    public CsrfToken loadToken(HttpServletRequest request) {
        return request.getSession(false) != null ? sessions.loadToken(request) : cookieOf(request).loadToken(request);
    }

    private CookieCsrfTokenRepository cookieOf(HttpServletRequest request) {
        return request.isSecure() ? hostCookie : plainCookie;
    }
}
