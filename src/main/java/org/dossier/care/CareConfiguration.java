package org.dossier.care;

import org.dossier.platform.VersionLog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class CareConfiguration {

    @Bean
    VersionLog careVersions(JdbcClient jdbc, JsonMapper json) {
        return new VersionLog(jdbc, json, "care_version");
    }
}
