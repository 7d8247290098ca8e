package org.dossier.identity;

import org.dossier.demo.DemoAccounts;
import org.dossier.support.Accounts;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Every security event is published with who, when, from where and with what client. */
@Import(SecurityEventsTest.Recorder.class)
class SecurityEventsTest extends IntegrationTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class Recorder {
        static final List<SecurityEvent> EVENTS = new CopyOnWriteArrayList<>();

        @Bean
        Object securityEventRecorder() {
            return new Object() {
                @EventListener
                void on(SecurityEvent e) {
                    EVENTS.add(e);
                }
            };
        }
    }

    @Autowired
    CredentialService credentials;

    private List<SecurityEvent.Type> typesFor(String username) {
        return Recorder.EVENTS.stream().filter(e -> username.equals(e.username())).map(SecurityEvent::type).toList();
    }

    @Test
    void signInsFailuresTokensAndRevocationsArePublished() {
        String user = Accounts.newPhysician(as("admin"), credentials);
        BrowserSession browser = new BrowserSession(port);
        browser.login(user, "definitely not the password");
        browser.login(user, DemoAccounts.PASSWORD);
        browser.form("/login/totp", Map.of("code", "000000"));
        browser.form("/login/totp", Map.of("code", BrowserSession.code(user, 0)));
        String token = org.dossier.support.Api.fetchToken(port, user, DemoAccounts.PASSWORD);
        long tokenId = anonymous().withBearer(token).get("/api/auth/tokens").json().get(0).get("id").asLong();
        anonymous().withBearer(token).delete("/api/auth/tokens/" + tokenId);

        assertThat(typesFor(user)).contains(SecurityEvent.Type.LOGIN_FAILED, SecurityEvent.Type.LOGIN_SUCCEEDED,
                SecurityEvent.Type.MFA_FAILED, SecurityEvent.Type.MFA_SUCCEEDED, SecurityEvent.Type.TOKEN_ISSUED, SecurityEvent.Type.TOKEN_REVOKED);
        SecurityEvent mfa = Recorder.EVENTS.stream().filter(e -> user.equals(e.username()) && e.type() == SecurityEvent.Type.MFA_SUCCEEDED)
                .findFirst().orElseThrow();
        assertThat(mfa.staffId()).isNotNull();
        assertThat(mfa.sourceAddress()).isEqualTo("127.0.0.1");
        assertThat(mfa.userAgent()).isNotBlank();
        assertThat(mfa.at()).isNotNull();
        SecurityEvent failed = Recorder.EVENTS.stream().filter(e -> user.equals(e.username()) && e.type() == SecurityEvent.Type.LOGIN_FAILED)
                .findFirst().orElseThrow();
        assertThat(failed.sourceAddress()).isEqualTo("127.0.0.1");
    }
}
