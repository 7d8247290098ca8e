package org.dossier.patient;

import org.dossier.platform.crypto.FieldCipher;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sealed columns of a patient row and of its versions, as {@link PatientRepository} writes and reads them: the one
 * definition the bulk loader of {@code patient.bulk} shares, so that loaded patients read back as registered ones. Each
 * is sealed with the patient's own key (ADR 0047: shredding it erases them in every copy of the database) and bound to
 * its cell (ADR 0041): a row's details opened as another row's fail.
 */
public final class PatientRows {

    private PatientRows() {
    }

    public static FieldCipher.Cell detailsCell(long patientId, int facilityId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "patient", "details", patientId);
    }

    /** A version's cell names its number, so that one version's snapshot cannot stand in for another's. */
    public static FieldCipher.Cell versionCell(long patientId, int facilityId, int version) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "patient_version", "snapshot/" + version, patientId);
    }

    /** The {@code sealed_details} column: addresses, phones, emails, contacts, physician, coverage. */
    public static byte[] sealedDetails(FieldCipher cipher, JsonMapper json, long patientId, int facilityId, PatientData data) {
        return cipher.seal(detailsCell(patientId, facilityId), json.writeValueAsString(PatientRepository.Details.of(data)));
    }

    /** The {@code sealed_snapshot} of an active patient's first version. */
    public static byte[] sealedFirstVersion(FieldCipher cipher, JsonMapper json, long patientId, int facilityId, PatientData data) {
        return cipher.seal(versionCell(patientId, facilityId, 1),
                json.writeValueAsString(new PatientRepository.Snapshot(PatientStatus.ACTIVE, null, data)));
    }
}
