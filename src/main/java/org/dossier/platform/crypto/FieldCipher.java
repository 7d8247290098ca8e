package org.dossier.platform.crypto;

import com.google.crypto.tink.Aead;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;

/**
 * Seals one value of a PHI column (Tink AES-256-GCM, a fresh nonce each time), the associated data binding it to its
 * table, column, row and facility: a sealed value copied into another row, column or facility does not open, so whoever
 * can write the database cannot move one patient's name onto another. A cell that names its patient
 * ({@link Cell#ofPatient}) is sealed with that patient's own key (ADR 0047), which can be shredded; any other with the
 * facility's data key. {@code null} stays {@code null} (the absence of a used name is not hidden; see ADR 0042).
 */
@Component
public class FieldCipher implements Sealing {

    private final DataKeys keys;
    private final PatientKeys patientKeys;
    private final ApplicationEventPublisher events;

    @Autowired
    FieldCipher(DataKeys keys, PatientKeys patientKeys, ApplicationEventPublisher events) {
        this.keys = keys;
        this.patientKeys = patientKeys;
        this.events = events;
    }

    /** Without a patient key store (a thief's view, in tests): a patient's cell opens only if its facility key sealed it. */
    FieldCipher(DataKeys keys) {
        this(keys, null, null);
    }

    /**
     * Where a value lives: what its associated data says. {@code patientId}, when given, is the patient whose key seals
     * it; it is not part of the associated data (the row id already binds the value), so a value sealed with the facility
     * key before the patient had a key opens at the same cell.
     */
    public record Cell(int facilityId, String table, String column, long rowId, Long patientId) {

        /** A cell sealed with the facility's key (not shreddable per patient). */
        public Cell(int facilityId, String table, String column, long rowId) {
            this(facilityId, table, column, rowId, null);
        }

        /** A cell of one patient's data, sealed with that patient's own key. */
        public static Cell ofPatient(long patientId, int facilityId, String table, String column, long rowId) {
            return new Cell(facilityId, table, column, rowId, patientId);
        }

        byte[] associatedData() {
            return ("dossier-field|" + table + "|" + column + "|" + rowId + "|" + facilityId).getBytes(StandardCharsets.UTF_8);
        }
    }

    DataKeys keys() {
        return keys;
    }

    PatientKeys patientKeys() {
        return patientKeys;
    }

    /** Seals with the cell's key; a shredded patient's cell is refused ({@link ErasedValueException}, a 409). */
    @Override
    public byte[] seal(Cell cell, String plaintext) {
        return plaintext == null ? null : sealBytes(cell, plaintext.getBytes(StandardCharsets.UTF_8));
    }

    /** The same for bytes that are not text (a document's PDF or image). */
    public byte[] sealBytes(Cell cell, byte[] plain) {
        if (plain == null) {
            return null;
        }
        try {
            return sealingKey(cell).encrypt(plain, cell.associatedData());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot seal " + cell.table() + "." + cell.column(), e);
        }
    }

    /**
     * Seals the cells of one patient with their key looked up once, not at each value (each look-up checks the key store on
     * disk): for a loader sealing a dozen values of each of thousands of patients it has just made keys for
     * ({@link PatientKeys#newKeys}), whom no one else can see — or shred — before it commits. It makes no key: a patient
     * without one is refused. A cell of another patient is refused; a facility cell is sealed as {@link #seal} does.
     */
    public Sealing sealingFor(int facilityId, long patientId) {
        Aead patientKey = patientKeys == null ? keys.fieldKey(facilityId) : patientKeys.existing(facilityId, patientId);
        if (patientKey == null) {
            throw new IllegalStateException("Patient " + patientId + " has no key yet: make it before sealing their values");
        }
        return (cell, plaintext) -> {
            if (plaintext == null || cell.patientId() == null) {
                return seal(cell, plaintext);
            }
            if (cell.patientId() != patientId || cell.facilityId() != facilityId) {
                throw new IllegalArgumentException("A cell of patient " + cell.patientId() + " given to the sealing of patient " + patientId);
            }
            try {
                return patientKey.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), cell.associatedData());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Cannot seal " + cell.table() + "." + cell.column(), e);
            }
        };
    }

    private Aead sealingKey(Cell cell) {
        if (cell.patientId() == null || patientKeys == null) {
            return keys.fieldKey(cell.facilityId());
        }
        return patientKeys.orCreate(cell.facilityId(), cell.patientId());
    }

    /**
     * The value sealed in this cell, or an exception if it was sealed elsewhere, altered, or under another key; for a
     * shredded patient's cell, {@link ErasedValueException} whatever key sealed it.
     */
    public String open(Cell cell, byte[] sealed) {
        byte[] opened = openBytes(cell, sealed);
        return opened == null ? null : new String(opened, StandardCharsets.UTF_8);
    }

    /** {@link #open} for bytes sealed with {@link #sealBytes}. */
    public byte[] openBytes(Cell cell, byte[] sealed) {
        if (sealed == null) {
            return null;
        }
        byte[] ad = cell.associatedData();
        if (cell.patientId() != null && patientKeys != null) {
            // one look at the key store when the patient has a key (the common case), two when not
            Aead own = patientKeys.existing(cell.facilityId(), cell.patientId());
            if (own != null) {
                byte[] opened = tryOpen(own, sealed, ad);
                if (opened != null) {
                    return opened;
                }
            } else if (patientKeys.isShredded(cell.facilityId(), cell.patientId())) {
                throw new ErasedValueException(cell.facilityId(), cell.patientId());
            }
        }
        // a facility cell, or a patient's value sealed before the patient had a key (the re-encryption job moves it)
        byte[] opened = tryOpen(keys.fieldKey(cell.facilityId()), sealed, ad);
        if (opened == null) {
            opened = tryOpen(keys.reloadedFieldKey(cell.facilityId()), sealed, ad);
        }
        if (opened == null) {
            if (events != null) {
                events.publishEvent(new SealedValueAltered(cell.table(), cell.column(), cell.rowId(), cell.facilityId(), Instant.now()));
            }
            // The cell is named, never the value: the message may reach a log.
            throw new SealedValueException(cell);
        }
        return opened;
    }

    private static byte[] tryOpen(Aead key, byte[] sealed, byte[] ad) {
        if (key == null) {
            return null;
        }
        try {
            return key.decrypt(sealed, ad);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /**
     * A sealed value that does not open where it was found. The request is refused whole (502 {@code record-integrity}):
     * a record shown without one of its values could mislead whoever treats the patient.
     */
    public static final class SealedValueException extends IllegalStateException {
        SealedValueException(Cell cell) {
            super("The sealed value of " + cell.table() + "." + cell.column() + " of row " + cell.rowId() + " (facility "
                    + cell.facilityId() + ") does not open with its data key: altered, moved from another row, or another key");
        }
    }
}
