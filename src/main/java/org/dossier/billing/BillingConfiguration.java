package org.dossier.billing;

import org.dossier.platform.SealedVersionValues;
import org.dossier.platform.VersionLog;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class BillingConfiguration {

    /** Every version of an invoice, card read or claim, sealed with its patient's key (V65). */
    @Bean
    VersionLog billingVersions(JdbcClient jdbc, JsonMapper json, FieldCipher cipher) {
        return new VersionLog(jdbc, json, "billing_version", cipher);
    }

    /** The versions' sealed snapshots, for the data-key rotation job (which also seals those written in clear before V65). */
    @Bean
    SealedVersionValues billingVersionValues(JdbcClient jdbc) {
        return new SealedVersionValues(jdbc, "billing_version");
    }
}
