package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import java.time.Clock;

/** Publishes security events, and logs them on the security logger. */
@Component
class SecurityEvents {

    private static final Logger log = LoggerFactory.getLogger("dossier.security");

    private final ApplicationEventPublisher publisher;
    private final Clock clock;

    SecurityEvents(ApplicationEventPublisher publisher, Clock clock) {
        this.publisher = publisher;
        this.clock = clock;
    }

    void publish(SecurityEvent.Type type, Long staffId, String username, HttpServletRequest request, String detail) {
        publish(type, staffId, username, request == null ? null : request.getRemoteAddr(),
                request == null ? null : request.getHeader("User-Agent"), detail);
    }

    void publish(SecurityEvent.Type type, Long staffId, String username, String source, String agent, String detail) {
        SecurityEvent event = new SecurityEvent(type, staffId, username, clock.instant(), source, agent, detail);
        log.info("{} user={} staff={} from={} {}", type, username, staffId, source, detail == null ? "" : detail);
        publisher.publishEvent(event);
    }
}
