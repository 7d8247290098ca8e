package org.dossier.platform;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

import java.time.Clock;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
class PlatformConfiguration {

    /** One clock for the whole server, so that simulations can run time faster than the wall. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
