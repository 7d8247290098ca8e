package org.dossier.platform.crypto;

import org.dossier.platform.ConflictException;

import java.util.Map;

/**
 * A value of a patient whose key was shredded (ADR 0047): it can never be opened again, nor a new one sealed. Readers
 * show the value as erased; a write is answered 409.
 */
public final class ErasedValueException extends ConflictException {

    private final long patientId;

    ErasedValueException(int facilityId, long patientId) {
        super("erased", "The data of patient " + patientId + " were erased (crypto-shredded): they can no longer be read or changed",
                Map.of("patientId", patientId, "facilityId", facilityId));
        this.patientId = patientId;
    }

    public long patientId() {
        return patientId;
    }
}
