package org.dossier.access;

import org.dossier.platform.ConflictException;
import org.dossier.platform.crypto.FieldCipher;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Map;

/** What the gateway must know of a patient to decide: which facility holds the record, and whether it is still active. */
public record PatientFacts(long id, int facilityId, boolean merged, Long mergedInto, LocalDate birthDate) {

    /**
     * The facts in the current row of a result that selected {@code patient_facts(...)}'s columns under their own names.
     * The birth date is sealed in the record (V57/V58) and opened here, for the rules that need it (a problem's onset);
     * the gateway shows it to nobody. A row the server has not sealed yet answers it in clear.
     */
    public static PatientFacts read(ResultSet row, FieldCipher cipher) throws SQLException {
        long id = row.getLong("id");
        int facilityId = row.getInt("facility_id");
        byte[] sealed = row.getBytes("sealed_birth_date");
        LocalDate birthDate;
        try {
            birthDate = sealed == null ? row.getDate("birth_date").toLocalDate()
                    : LocalDate.parse(cipher.open(birthDateCell(id, facilityId), sealed));
        } catch (org.dossier.platform.crypto.ErasedValueException erased) {
            // A shredded patient (ADR 0047): nothing can be written to the record any more, so no rule needs the date.
            birthDate = null;
        }
        return new PatientFacts(id, facilityId, "MERGED".equals(row.getString("status")), (Long) row.getObject("merged_into"), birthDate);
    }

    /** Where a patient's sealed birth date lives: the patient module seals it there ({@code PatientRows}). */
    public static FieldCipher.Cell birthDateCell(long patientId, int facilityId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "patient", "birth_date", patientId);
    }

    /** Refuses (409) to attach anything new to a merged record. */
    public PatientFacts requireActive() {
        if (merged) {
            throw new ConflictException("patient-merged", "Patient " + id + " was merged into " + mergedInto
                    + "; record this on that patient", Map.of("mergedInto", mergedInto));
        }
        return this;
    }
}
