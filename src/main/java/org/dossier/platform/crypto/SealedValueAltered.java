package org.dossier.platform.crypto;

import java.time.Instant;

/**
 * A sealed value did not open where it was found: someone with write access to the database altered it, moved it from
 * another row, or restored it under another key. Published by {@link FieldCipher} for the guard to alert the security
 * officer; it names the cell, never a value.
 */
public record SealedValueAltered(String table, String column, long rowId, int facilityId, Instant at) {
}
