package org.dossier.platform.crypto;

import java.util.List;

/**
 * A table's sealed values as the data-key rotation job reads and writes them again (ADR 0047): each module that seals a
 * column declares it with one of these, so that the job, which knows no table, re-encrypts them all. It reads and writes
 * without a gateway decision, as the bulk loaders do: nothing it reads leaves the server, and what it writes is the same
 * value sealed again.
 */
public interface SealedValues {

    /** A stable name: the job's progress is stored under it. */
    String name();

    /**
     * The values of the facility's next {@code limit} cursors after {@code after} (a cursor is a row, or a patient whose
     * rows are read together), in cursor order, every value of a cursor in the same answer. A value written before it
     * was sealed comes with {@code clear} set and {@code sealed} null.
     */
    List<Value> after(int facilityId, long after, int limit);

    /**
     * Writes {@code sealed} in place of the value, provided the row still holds what was read (else false: it was written
     * again meanwhile, and so sealed with the current key).
     */
    boolean replace(Value value, byte[] sealed);

    /** One value: where it lives, and as it is stored. */
    record Value(long cursor, FieldCipher.Cell cell, byte[] sealed, String clear) {
    }
}
