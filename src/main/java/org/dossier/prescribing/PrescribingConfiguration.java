package org.dossier.prescribing;

import org.dossier.platform.SealedVersionValues;
import org.dossier.platform.VersionLog;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class PrescribingConfiguration {

    /** Every version of an order, sealed with its patient's key (V65). */
    @Bean
    VersionLog prescribingVersions(JdbcClient jdbc, JsonMapper json, FieldCipher cipher) {
        return new VersionLog(jdbc, json, "prescribing_version", cipher);
    }

    /** The versions' sealed snapshots, for the data-key rotation job (which also seals those written in clear before V65). */
    @Bean
    SealedVersionValues prescribingVersionValues(JdbcClient jdbc) {
        return new SealedVersionValues(jdbc, "prescribing_version");
    }
}
