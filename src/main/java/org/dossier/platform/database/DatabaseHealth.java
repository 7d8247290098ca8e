package org.dossier.platform.database;

import org.dossier.platform.DatabaseAvailability;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The database's health as the supervisor sees it: an outage it saw is answered at once, otherwise its probe connection
 * is asked {@code select 1} (within about a second). Spring Boot's own check borrows a pooled connection and, with the
 * database gone, waits out the pool's timeout before it says DOWN.
 */
final class DatabaseHealth implements HealthIndicator {

    private final DatabaseAvailability availability;
    private final DatabaseSupervisor supervisor;

    DatabaseHealth(DatabaseAvailability availability, DatabaseSupervisor supervisor) {
        this.availability = availability;
        this.supervisor = supervisor;
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
                .orElseGet(() -> supervisor.answersNow() ? Health.up().build()
                        : Health.down().withDetail("reason", "the database does not answer").build());
    }
}
