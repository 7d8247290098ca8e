package org.dossier.access;

import org.dossier.platform.ConflictException;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Map;

/** What the gateway must know of a patient to decide: which facility holds the record, and whether it is still active. */
public record PatientFacts(long id, int facilityId, boolean merged, Long mergedInto, LocalDate birthDate) {

    /** The facts in the current row of a result that selected {@code patient_facts(...)}'s columns under their own names. */
    public static PatientFacts read(ResultSet row) throws SQLException {
        return new PatientFacts(row.getLong("id"), row.getInt("facility_id"), "MERGED".equals(row.getString("status")),
                (Long) row.getObject("merged_into"), row.getDate("birth_date").toLocalDate());
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
