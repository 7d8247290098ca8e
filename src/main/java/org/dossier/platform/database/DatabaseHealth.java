package org.dossier.platform.database;

import org.dossier.platform.DatabaseAvailability;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The database's health as the supervisor sees it, answered at once: Spring Boot's own check borrows a pooled
 * connection and, with the database gone, waits out the pool's timeout before it says DOWN.
 */
final class DatabaseHealth implements HealthIndicator {

    private final DatabaseAvailability availability;

    DatabaseHealth(DatabaseAvailability availability) {
        this.availability = availability;
    }

    @Override
    public Health health() {
        return availability.outage()
                .map(o -> Health.down()
                        .withDetail("since", o.since().toString())
                        .withDetail("reason", o.reason())
                        .withDetail("restartAttempts", o.attempts())
                        .withDetail("state", o.failing() ? "FAILING" : "RESTARTING")
                        .build())
                .orElseGet(() -> Health.up().build());
    }
}
