package org.dossier.billing;

import java.sql.ResultSet;
import java.sql.SQLException;

import static org.dossier.platform.SqlTimes.instant;

/** A claim as its row reads, for the billing repository and the insurer exchange alike. */
final class ClaimRows {

    static final String CLAIM = "id, facility_id, patient_id, invoice_id, status, amount_cents, beneficiary_nir, lot_number,"
            + " sent_at, answered_at, rejection_reason, version";

    private ClaimRows() {
    }

    static Claim claim(ResultSet rs, int n) throws SQLException {
        return new Claim(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getLong("invoice_id"),
                Claim.Status.valueOf(rs.getString("status")), rs.getInt("amount_cents"), rs.getString("beneficiary_nir"),
                rs.getString("lot_number"), instant(rs.getTimestamp("sent_at")), instant(rs.getTimestamp("answered_at")),
                rs.getString("rejection_reason"), rs.getInt("version"));
    }
}
