package org.dossier.portal;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;

/** The portal's free text sealed with the patient's own key (V67, ADR 0053), each table also a table of the rotation job. */
@Configuration(proxyBeanMethods = false)
class PortalSealedText {

    /** What the patient asked to be corrected, and the desk's answer to them. */
    @Bean
    SealedColumns portalCorrectionText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "portal_correction", List.of("message", "answer"));
    }

    /** What the patient said about an access to their record (or the system's note), and the officer's answer (V68). */
    @Bean
    SealedColumns portalCaseText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "portal_case", List.of("patient_note", "outcome_note"));
    }
}
