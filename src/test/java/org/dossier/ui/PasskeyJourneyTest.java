package org.dossier.ui;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.Browser;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clinician adds a passkey and then signs in with it, in Chromium with its virtual authenticator (the browser's
 * real WebAuthn stack, a software key). WebAuthn binds a credential to the page's origin, so this server listens on a
 * port known in advance and names that origin as allowed.
 */
class PasskeyJourneyTest extends IntegrationTest {

    private static final int PORT = freePort();

    @Autowired
    CredentialService credentials;

    @DynamicPropertySource
    static void origin(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("dossier.webauthn.origins", () -> "http://localhost:" + PORT);
    }

    @BeforeAll
    static void chromium() {
        Browser.requireChromium();
    }

    @Test
    void aClinicianAddsAPasskeyAndSignsInWithItInsteadOfACode() {
        String nurse = Accounts.newStaff(as("admin"), credentials, "NURSE", 1, fixtures().unit(1, "CARDIO"));
        try (Browser browser = Browser.open(port, "fr")) {
            VirtualAuthenticator key = ((HasVirtualAuthenticator) browser.driver()).addVirtualAuthenticator(
                    new VirtualAuthenticatorOptions().setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                            .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL).setHasResidentKey(true)
                            .setHasUserVerification(true).setIsUserVerified(true));
            browser.signIn(nurse);
            browser.go("/me/sessions");
            browser.click("#manage-factors");
            assertThat(browser.has("#totp-secret")).as("a working authenticator is not replaced by visiting the page").isFalse();
            browser.type("#passkey-label", "Poste infirmier");
            browser.click("[data-passkey-register]");
            browser.waitForPathEquals("/");
            assertThat(key.getCredentials()).hasSize(1);
            assertThat(jdbc.sql("select label from user_credentials c join user_entities e on e.id = c.user_entity_user_id where e.name = ?")
                    .param(nurse).query(String.class).single()).isEqualTo("Poste infirmier");

            browser.clearCookies();
            browser.go("/signin").type("#username", nurse).type("#password", org.dossier.demo.DemoAccounts.PASSWORD)
                    .click("#signin button[type=submit]");
            browser.waitForPath("/signin/second-factor");
            browser.screenshot("11-passkey");
            browser.click("#passkey-signin");
            browser.waitForPathEquals("/");
            browser.waitForText("h1", "Ma journée");
            browser.assertNoConsoleErrors();
        }
        assertThat(jdbc.sql("select confirmed_at is not null from totp_credential t join staff s on s.id = t.staff_id where s.username = ?")
                .param(nurse).query(Boolean.class).single()).as("the authenticator still works").isTrue();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
