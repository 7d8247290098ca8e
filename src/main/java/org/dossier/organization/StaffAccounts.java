package org.dossier.organization;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A staff account read inside another module's statement, so that a credential and its account cost one round trip:
 * the SQL function {@code staff_account(id)} (migration V41) selects it, {@link #read} maps its columns.
 */
public final class StaffAccounts {

    private StaffAccounts() {
    }

    /** The account in the current row of a result that selected {@code staff_account(...).*}. */
    public static StaffMember read(ResultSet row) throws SQLException {
        return StaffRepository.map(row, 0);
    }
}
