package org.dossier.identity;

import org.dossier.platform.InputRefused;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A sign-in refused for its size before it reached the password check (a JSON body over the limit on the token
 * call, a form too large on /login) is a failed attempt like any other: counted against the source address.
 */
@Component
class OversizedSignIn {

    private final LoginThrottle throttle;
    private final SecurityEvents events;

    OversizedSignIn(LoginThrottle throttle, SecurityEvents events) {
        this.throttle = throttle;
        this.events = events;
    }

    @EventListener
    void refused(InputRefused refused) {
        if (!"POST".equals(refused.method()) || !isSignIn(refused.path())) {
            return;
        }
        throttle.failed(LoginThrottle.addressKey(refused.remoteAddress()));
        events.publish(SecurityEvent.Type.LOGIN_FAILED, null, null, refused.remoteAddress(), null,
                "sign-in refused before the password check: " + refused.reason().substring(0, Math.min(200, refused.reason().length())));
    }

    private static boolean isSignIn(String path) {
        return path.equals("/api/auth/token") || path.equals("/login") || path.startsWith("/login/") || path.equals("/api/auth/step-up");
    }
}
