package org.dossier.care;

import org.dossier.platform.crypto.SealedColumns;
import org.dossier.platform.SealedVersionValues;
import org.dossier.platform.VersionLog;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

@Configuration(proxyBeanMethods = false)
class CareConfiguration {

    /** Every version of a care record, sealed with the patient's key (V69). */
    @Bean
    VersionLog careVersions(JdbcClient jdbc, JsonMapper json, FieldCipher cipher) {
        return new VersionLog(jdbc, json, "care_version", cipher);
    }

    /** The same versions for the data-key rotation job, which also seals those written in clear before V69. */
    @Bean
    SealedVersionValues careVersionValues(JdbcClient jdbc) {
        return new SealedVersionValues(jdbc, "care_version");
    }

    /** An appointment's reason and the reason of its cancellation or no-show, sealed with the patient's key (V67). */
    @Bean
    SealedColumns appointmentText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "appointment", List.of("reason", "status_reason"));
    }

    /**
     * What an encounter imported as history was (its type's text, V67, and code, V72), why (its reason, V67), where and by
     * whom (its organization and practitioner as sent, V72), sealed with the patient's key.
     */
    @Bean
    SealedColumns encounterHistoryText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "encounter_history",
                List.of("type", "reason", "type_code", "practitioner", "organization"));
    }

    /** A referral's reason, what it asks for, sealed with the patient's key (V67). */
    @Bean
    SealedColumns referralText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "referral", List.of("reason"));
    }

    /** A care-team member's role, typed by a clinician, sealed with the patient's key (V71). */
    @Bean
    SealedColumns careTeamText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "care_team_member", List.of("role"));
    }

    /** A stay's admission reason and discharge destination, sealed with the patient's key (V68). */
    @Bean
    SealedColumns stayText(JdbcClient jdbc, FieldCipher cipher) {
        return new SealedColumns(jdbc, cipher, "stay", List.of("admission_reason", "discharge_destination"));
    }
}
