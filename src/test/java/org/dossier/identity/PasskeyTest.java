package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.dossier.support.SoftwareAuthenticator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Passkeys (WebAuthn) with a software authenticator: registration after a full sign-in, then the passkey as second factor. */
class PasskeyTest extends IntegrationTest {

    @Autowired
    CredentialService credentials;

    @Test
    void aRegisteredPasskeyIsASecondFactor() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        SoftwareAuthenticator passkey = new SoftwareAuthenticator();

        BrowserSession enrolled = BrowserSession.signedIn(port, user);
        Api.Response options = enrolled.post("/webauthn/register/options", Map.of());
        assertThat(options.status()).as(options.toString()).isEqualTo(200);
        JsonNode creation = options.json();
        assertThat(creation.at("/rp/id").asString()).isEqualTo(SoftwareAuthenticator.RP_ID);
        String userHandle = creation.at("/user/id").asString();
        Api.Response registered = enrolled.post("/webauthn/register", passkey.register(creation, "Clé du bureau"));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);

        BrowserSession browser = new BrowserSession(port);
        Api.Response password = browser.login(user, DemoAccounts.PASSWORD);
        assertThat(password.json().get("methods").valueStream().map(JsonNode::asString)).contains("PASSKEY");
        JsonNode request = browser.post("/webauthn/authenticate/options", Map.of()).json();
        String halfway = browser.sessionCookie();
        Api.Response signedIn = browser.post("/login/webauthn", passkey.assertion(request, userHandle, false));
        assertThat(signedIn.status()).as(signedIn.toString()).isEqualTo(200);
        assertThat(signedIn.json().get("status").asString()).isEqualTo("SIGNED_IN");
        assertThat(browser.get("/api/me").json().get("username").asString()).isEqualTo(user);

        // As after a code: a new session id, and the CSRF token of the half-signed-in session is spent.
        assertThat(browser.sessionCookie()).isNotEqualTo(halfway);
        assertThat(browser.pageForm("/me/language", Map.of("language", "fr"), true).status()).isEqualTo(403);
        assertThat(signedIn.json().get("csrfToken").asString()).isNotBlank();
        browser.refreshCsrf();
        assertThat(browser.pageForm("/me/language", Map.of("language", "fr"), true).status()).isEqualTo(302);
    }

    @Test
    void aForgedAssertionDoesNotSignIn() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        SoftwareAuthenticator passkey = new SoftwareAuthenticator();
        BrowserSession enrolled = BrowserSession.signedIn(port, user);
        JsonNode creation = enrolled.post("/webauthn/register/options", Map.of()).json();
        assertThat(enrolled.post("/webauthn/register", passkey.register(creation, "clé")).status()).isEqualTo(200);

        BrowserSession thief = new BrowserSession(port);
        thief.login(user, DemoAccounts.PASSWORD);
        JsonNode request = thief.post("/webauthn/authenticate/options", Map.of()).json();
        Api.Response forged = thief.post("/login/webauthn", passkey.assertion(request, creation.at("/user/id").asString(), true));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(thief.get("/api/me").status()).isEqualTo(401);
    }

    @Test
    void aPasswordAloneCannotRegisterAPasskeyOnAnAccountThatHasASecondFactor() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        BrowserSession thief = new BrowserSession(port);
        thief.login(user, DemoAccounts.PASSWORD);
        assertThat(thief.post("/webauthn/register/options", Map.of()).status()).isEqualTo(401);
        assertThat(thief.post("/webauthn/register", new SoftwareAuthenticator().register(
                Api.jsonMapper().readTree("{\"challenge\":\"AAAA\"}"), "x")).status()).isEqualTo(401);
        assertThat(new BrowserSession(port).post("/webauthn/authenticate/options", Map.of()).status())
                .as("no passkey sign-in before the password").isEqualTo(401);
    }
}
