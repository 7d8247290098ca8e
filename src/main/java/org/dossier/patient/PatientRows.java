package org.dossier.patient;

import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON columns of a patient row and of its first version, as {@link PatientRepository} writes and reads them:
 * the one definition the bulk loader of {@code patient.bulk} shares, so that loaded patients read back as registered ones.
 */
public final class PatientRows {

    private PatientRows() {
    }

    /** The {@code details} column: addresses, phones, emails, contacts, physician, coverage. */
    public static String details(JsonMapper json, PatientData data) {
        return json.writeValueAsString(PatientRepository.Details.of(data));
    }

    /** The {@code snapshot} of an active patient's first version. */
    public static String firstVersion(JsonMapper json, PatientData data) {
        return json.writeValueAsString(new PatientRepository.Snapshot(PatientStatus.ACTIVE, null, data));
    }
}
