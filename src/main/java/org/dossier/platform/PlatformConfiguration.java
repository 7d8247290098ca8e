package org.dossier.platform;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

import java.time.Clock;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
class PlatformConfiguration {

    /** One clock for the whole server, so that simulations can run time faster than the wall. */
    @Bean
    Clock clock(@Value("${dossier.simulation.clock:false}") boolean simulated, @Value("${dossier.profile:development}") String profile) {
        if (simulated && "production".equals(profile)) {
            throw new IllegalStateException("dossier.simulation.clock=true is for the containment simulations, never in production");
        }
        return simulated ? new SimulatedClock() : Clock.systemUTC();
    }
}
