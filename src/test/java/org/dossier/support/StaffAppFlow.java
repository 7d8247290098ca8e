package org.dossier.support;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dossier.support.Pkce.enc;
import static org.dossier.support.Pkce.param;

/**
 * A clinician's SMART app as a test needs it (ADR 0028): registered by an administrator, then authorized in the person's
 * signed-in browser session — authorization request, consent, the code exchanged with PKCE — for an access token.
 * SmartLaunchTest drives and checks each step; this only gets there.
 */
public final class StaffAppFlow {

    public static final String REDIRECT = "http://localhost:9/staff-app";

    private StaffAppFlow() {
    }

    /** Registers a public app with these scopes; its client id. */
    public static String register(Api admin, List<String> scopes) {
        Api.Response r = admin.post("/api/admin/smart-apps", Map.of("name", "Staff app", "redirectUris", List.of(REDIRECT),
                "scopes", scopes, "confidential", false));
        return Pkce.clientId(r);
    }

    /** An access token of the app for the person signed in to {@code browser}, every scope in {@code scope} allowed (no launch patient). */
    public static String token(int port, BrowserSession browser, String clientId, String scope) throws Exception {
        Pkce pkce = Pkce.make();
        String challenge = pkce.challenge();
        Api.Response asked = browser.page("/oauth2/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(REDIRECT)
                + "&scope=" + enc(scope) + "&state=s1&aud=" + enc("http://127.0.0.1:" + port + "/fhir") + "&code_challenge=" + challenge
                + "&code_challenge_method=S256");
        String location = asked.header("Location");
        assertThat(location).as(asked.toString()).contains("/smart/consent");
        String state = param(location, "state");
        browser.page(location.substring(location.indexOf("/smart/consent")));
        List<Map.Entry<String, String>> fields = Pkce.consent(clientId, state, scope);
        assertThat(browser.pageForm("/smart/consent", fields).status()).isEqualTo(307);
        Api.Response issued = browser.pageForm("/oauth2/authorize", fields);
        return pkce.exchange(port, issued, REDIRECT, clientId);
    }
}
