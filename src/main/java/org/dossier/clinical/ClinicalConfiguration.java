package org.dossier.clinical;

import org.dossier.platform.VersionLog;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class ClinicalConfiguration {

    @Bean
    VersionLog clinicalVersions(JdbcClient jdbc, JsonMapper json, FieldCipher cipher) {
        // every version of a clinical record is sealed with the patient's key (ADR 0051)
        return new VersionLog(jdbc, json, "clinical_version", cipher);
    }
}
