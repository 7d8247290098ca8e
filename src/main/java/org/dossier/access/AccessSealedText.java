package org.dossier.access;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;

/** What the security officer and clinicians write about an access, sealed (V70, ADR 0055); each table is also the rotation job's. */
@Configuration(proxyBeanMethods = false)
class AccessSealedText {

    /** Why a record is restricted, and why it was lifted: about the patient, so with the patient's key. */
    @Bean
    SealedColumns restrictionText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "patient_restriction", List.of("reason", "lift_reason"));
    }

    /**
     * A break-the-glass justification and the officer's review comment: evidence of a staff member's conduct, kept with
     * the audit trail, so with the facility's key, which a patient's shredding leaves (ADR 0055).
     */
    @Bean
    SealedColumns breakGlassText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "break_glass_grant", null, List.of("justification", "review_comment"));
    }
}
