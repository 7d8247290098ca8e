package org.dossier.patient;

import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;

/** What the front desk writes about merges and duplicates, sealed with a patient's key (V70, ADR 0055); also the rotation job's tables. */
@Configuration(proxyBeanMethods = false)
class PatientSealedText {

    /** Why two records were merged, and why the merge was undone: with the survivor's key, the record that carries the person on. */
    @Bean
    SealedColumns mergeText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "patient_merge", "survivor_id", List.of("reason", "undo_reason"));
    }

    /** How a possible duplicate was settled ("merge 12", or why the two are different people): with the review's patient's key. */
    @Bean
    SealedColumns duplicateReviewText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "duplicate_review", List.of("resolution"));
    }
}
