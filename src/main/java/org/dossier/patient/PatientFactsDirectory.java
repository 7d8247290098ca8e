package org.dossier.patient;

import org.dossier.access.Locates;
import org.dossier.access.PatientDirectory;
import org.dossier.access.PatientErased;
import org.dossier.access.PatientFacts;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.Optional;

/**
 * Tells the gateway which facility holds a patient's record and whether it is active, without reading the record.
 * Through the function {@code patient_facts}, which sees past the facility wall so that another facility's patient
 * is refused as such (and audited as such), not merely missing.
 */
@Component
class PatientFactsDirectory implements PatientDirectory {

    private final JdbcClient jdbc;
    private final FieldCipher cipher;

    PatientFactsDirectory(JdbcClient jdbc, FieldCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    @Override
    @Locates
    public Optional<PatientFacts> facts(long patientId) {
        return jdbc.sql("select id, facility_id, status, merged_into, birth_date, sealed_birth_date from patient_facts(?)")
                .param(patientId)
                .query((rs, n) -> PatientFacts.read(rs, cipher))
                .optional();
    }

    /**
     * A patient's key is being shredded (ADR 0047): what still finds them — the blind-index tokens of their names, birth date
     * and identifiers (ADR 0046) — is forgotten too, so that a search can no longer confirm a guess about them.
     */
    @EventListener
    void erased(PatientErased erased) {
        jdbc.sql("update patient set search_tokens = '{}' where id = ? and facility_id = ?").param(erased.patientId())
                .param(erased.facilityId()).update();
    }
}
