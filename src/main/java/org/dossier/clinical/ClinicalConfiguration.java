package org.dossier.clinical;

import org.dossier.platform.VersionLog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class ClinicalConfiguration {

    @Bean
    VersionLog clinicalVersions(JdbcClient jdbc, JsonMapper json) {
        return new VersionLog(jdbc, json, "clinical_version");
    }
}
