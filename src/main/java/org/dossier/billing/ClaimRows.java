package org.dossier.billing;

import org.dossier.platform.crypto.FieldCipher;

import java.sql.ResultSet;
import java.sql.SQLException;

import static org.dossier.platform.SqlTimes.instant;

/**
 * A claim as its row reads, for the billing repository and the insurer exchange alike: the beneficiary's NIR and the
 * insurer's rejection reason are opened with the patient's key (V65); a shredded patient's NIR reads as null.
 */
final class ClaimRows {

    static final String CLAIM = "id, facility_id, patient_id, invoice_id, status, amount_cents, beneficiary_nir, lot_number,"
            + " sent_at, answered_at, rejection_reason, version, sealed_beneficiary_nir, sealed_rejection_reason";

    private ClaimRows() {
    }

    /** The claim of the current row, its sealed values opened. */
    static Claim claim(FieldCipher cipher, ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        int facilityId = rs.getInt("facility_id");
        long patientId = rs.getLong("patient_id");
        return new Claim(id, facilityId, patientId, rs.getLong("invoice_id"),
                Claim.Status.valueOf(rs.getString("status")), rs.getInt("amount_cents"),
                BillingRows.open(cipher, rs, "beneficiary_nir", BillingRows.nirCell(id, facilityId, patientId), null),
                rs.getString("lot_number"), instant(rs.getTimestamp("sent_at")), instant(rs.getTimestamp("answered_at")),
                BillingRows.open(cipher, rs, "rejection_reason", BillingRows.rejectionCell(id, facilityId, patientId), BillingRows.ERASED),
                rs.getInt("version"));
    }
}
