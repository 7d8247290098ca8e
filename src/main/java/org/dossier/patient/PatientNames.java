package org.dossier.patient;

import org.dossier.platform.crypto.FieldCipher;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * A record's names opened from its sealed row (V57), for the one reader outside this module that needs them before anyone
 * is signed in: the portal, which keeps a patient's names out of their password. It selects {@link #COLUMNS} with the
 * row's {@code id} and {@code facility_id}; nothing of the names is shown.
 */
public final class PatientNames {

    public static final String COLUMNS = PatientRows.IDENTITY_COLUMNS;

    private PatientNames() {
    }

    /** The birth, used (or empty) and given names of the current row. */
    public static List<String> of(FieldCipher cipher, ResultSet rs) throws SQLException {
        PatientRows.Identity i = PatientRows.Identity.open(cipher, rs);
        return List.of(i.birthFamilyName(), i.usedName() == null ? "" : i.usedName(), i.givenNames());
    }
}
