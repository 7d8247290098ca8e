package org.dossier.identity;

import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.web.csrf.CsrfToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the test server (plain HTTP) cannot show: over HTTPS the sign-in token's cookie is a {@code __Host-} cookie, and a
 * cookie without the prefix — which any host of the domain, or a man in the middle on plain HTTP, can set — is ignored.
 * The flows themselves are tested over real HTTP in {@link AnonymousSessionTest}.
 */
class CsrfTokensTest {

    private final CsrfTokens tokens = new CsrfTokens();

    private static MockHttpServletRequest https() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/signin");
        request.setSecure(true);
        request.setScheme("https");
        return request;
    }

    @Test
    void overHttpsTheTokenIsAHostOnlySecureStrictCookie() {
        MockHttpServletRequest request = https();
        MockHttpServletResponse response = new MockHttpServletResponse();
        CsrfToken token = tokens.generateToken(request);
        tokens.saveToken(token, request, response);

        assertThat(request.getSession(false)).as("no session for the sign-in screen").isNull();
        Cookie cookie = response.getCookie(CsrfTokens.HOST_COOKIE);
        assertThat(cookie.getValue()).isEqualTo(token.getToken());
        assertThat(cookie.getSecure()).isTrue();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getPath()).isEqualTo("/");
        assertThat(cookie.getDomain()).isNull();
        assertThat(cookie.getAttribute("SameSite")).isEqualTo("Strict");

        MockHttpServletRequest next = https();
        next.setCookies(new Cookie(CsrfTokens.HOST_COOKIE, token.getToken()));
        assertThat(tokens.loadToken(next).getToken()).isEqualTo(token.getToken());
    }

    @Test
    void overHttpsACookieWithoutThePrefixIsIgnored() {
        MockHttpServletRequest tossed = https();
        tossed.setCookies(new Cookie(CsrfTokens.COOKIE, "planted-by-another-host"));
        assertThat(tokens.loadToken(tossed)).isNull();
    }

    @Test
    void onceThereIsASessionOnlyItsTokenCounts() {
        MockHttpServletRequest request = https();
        request.getSession(true);
        request.setCookies(new Cookie(CsrfTokens.HOST_COOKIE, "a-cookie-token"));
        assertThat(tokens.loadToken(request)).as("a session without a token yet").isNull();

        CsrfToken token = tokens.generateToken(request);
        MockHttpServletResponse response = new MockHttpServletResponse();
        tokens.saveToken(token, request, response);
        assertThat(tokens.loadToken(request).getToken()).isEqualTo(token.getToken());
        assertThat(response.getHeader("Set-Cookie")).as("kept in the session, not in a cookie").isNull();
    }
}
