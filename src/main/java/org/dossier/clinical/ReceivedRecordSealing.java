package org.dossier.clinical;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;

/**
 * What a received record says of the patient, sealed with the patient's own key (V66, ADR 0053): the resource as sent,
 * its label and its code. The bean is also the table's part of the data-key rotation job, which seals rows written in
 * clear before V66.
 */
@Configuration(proxyBeanMethods = false)
class ReceivedRecordSealing {

    @Bean
    SealedColumns receivedRecordText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "received_record", List.of("resource", "label", "code"));
    }
}
