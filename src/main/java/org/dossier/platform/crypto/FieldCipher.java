package org.dossier.platform.crypto;

import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Seals one value of a PHI column with its facility's data key (Tink AES-256-GCM, a fresh nonce each time), the associated
 * data binding it to its table, column, row and facility: a sealed value copied into another row, column or facility does
 * not open, so whoever can write the database cannot move one patient's name onto another. {@code null} stays
 * {@code null} (the absence of a used name is not hidden; see ADR 0042).
 */
@Component
public class FieldCipher {

    private final DataKeys keys;

    FieldCipher(DataKeys keys) {
        this.keys = keys;
    }

    /** Where a value lives: what its associated data says. */
    public record Cell(int facilityId, String table, String column, long rowId) {
        byte[] associatedData() {
            return ("dossier-field|" + table + "|" + column + "|" + rowId + "|" + facilityId).getBytes(StandardCharsets.UTF_8);
        }
    }

    public byte[] seal(Cell cell, String plaintext) {
        if (plaintext == null) {
            return null;
        }
        try {
            return keys.fieldKey(cell.facilityId()).encrypt(plaintext.getBytes(StandardCharsets.UTF_8), cell.associatedData());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot seal " + cell.table() + "." + cell.column(), e);
        }
    }

    /** The value sealed in this cell, or an exception if it was sealed elsewhere, altered, or under another key. */
    public String open(Cell cell, byte[] sealed) {
        if (sealed == null) {
            return null;
        }
        try {
            return new String(keys.fieldKey(cell.facilityId()).decrypt(sealed, cell.associatedData()), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // The cell is named, never the value: the message may reach a log.
            throw new SealedValueException(cell);
        }
    }

    /** A sealed value that does not open where it was found. */
    public static final class SealedValueException extends IllegalStateException {
        SealedValueException(Cell cell) {
            super("The sealed value of " + cell.table() + "." + cell.column() + " of row " + cell.rowId() + " (facility "
                    + cell.facilityId() + ") does not open with its data key: altered, moved from another row, or another key");
        }
    }
}
