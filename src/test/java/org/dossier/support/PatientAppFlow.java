package org.dossier.support;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dossier.support.Pkce.enc;
import static org.dossier.support.Pkce.param;

/**
 * A patient's app as a sweep needs it (ADR 0045): registered for patients by an administrator, then authorized in a
 * patient's signed-in portal session — authorization request, the portal's consent, the code exchanged with PKCE — for an
 * access token. PatientAppLaunchTest drives and checks each step; this only gets there.
 */
public final class PatientAppFlow {

    public static final String REDIRECT = "http://localhost:9/patient-app";

    private PatientAppFlow() {
    }

    /** Registers a public app for patients with these scopes; its client id. */
    public static String register(Api admin, List<String> scopes) {
        Api.Response r = admin.post("/api/admin/smart-apps", Map.of("name", "Patient app", "redirectUris", List.of(REDIRECT),
                "scopes", scopes, "confidential", false, "forPatients", true));
        return Pkce.clientId(r);
    }

    /** An access token of the app for the patient signed in to {@code portal}, with every scope in {@code scope} allowed. */
    public static String token(int port, PortalSession portal, String clientId, String scope) throws Exception {
        Pkce pkce = Pkce.make();
        String challenge = pkce.challenge();
        Api.Response asked = portal.page("/oauth2/authorize?response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(REDIRECT)
                + "&scope=" + enc(scope) + "&state=s1&code_challenge=" + challenge + "&code_challenge_method=S256");
        assertThat(asked.header("Location")).as(asked.toString()).contains("/portal/apps/consent?");
        String state = param(asked.header("Location"), "state");
        portal.page("/portal/apps/consent?client_id=" + enc(clientId) + "&state=" + enc(state));
        List<Map.Entry<String, String>> fields = Pkce.consent(clientId, state, scope);
        assertThat(portal.form("/portal/apps/consent", fields).status()).isEqualTo(307);
        Api.Response issued = portal.form("/oauth2/authorize", fields);
        return pkce.exchange(port, issued, REDIRECT, clientId);
    }
}
