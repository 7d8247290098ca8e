package org.dossier.billing;

import org.dossier.platform.VersionLog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class BillingConfiguration {

    @Bean
    VersionLog billingVersions(JdbcClient jdbc, JsonMapper json) {
        return new VersionLog(jdbc, json, "billing_version");
    }
}
