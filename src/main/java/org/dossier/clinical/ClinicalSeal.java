package org.dossier.clinical;

import org.dossier.platform.VersionLog;
import org.dossier.platform.crypto.BlindIndex;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a clinical row's words are sealed and opened (ADR 0051): what a row says of the patient — a note's title and body,
 * an allergy's substance and reaction, a code and its label, what the source sent, a result, a document's title — is one
 * JSON document sealed with the patient's own key in the row's {@code sealed_content} (ADR 0047: shredding the key erases
 * it in every copy), bound to its table and row; a document's bytes in {@code sealed_file}. Ids, dates, statuses, kinds,
 * units and numbers stay in clear. Shared with the bulk loader, so that generated rows read back as written ones.
 */
@Component
public class ClinicalSeal {

    /** What a shredded patient's words read as: their record stays, its dates and statuses, never a 500 (ADR 0047). */
    public static final String ERASED = "(erased)";

    /** The kind of an observation code's blind-index token: part of the hashed input, so no other kind shares it. */
    static final String OBSERVATION_CODE = "observation-code";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FieldCipher cipher;
    private final BlindIndex index;

    ClinicalSeal(FieldCipher cipher, BlindIndex index) {
        this.cipher = cipher;
        this.index = index;
    }

    /** A note's words. */
    public record NoteText(String title, String body) {
    }

    /** An allergy's substance, its code and reaction, and what an importing source said of it ({@code Imported} as JSON). */
    public record AllergyText(String substance, String substanceCode, String reaction, String source) {
    }

    /** A problem's, a vaccine's or a procedure's code and label, and what the source said of it. */
    public record CodedText(String code, String label, String source) {
    }

    /** An observation's code and label, what the source said of it, and a result that is not one number (JSON). */
    public record ObservationText(String code, String label, String source, String result) {
    }

    /** A document's title. */
    public record DocumentText(String title) {
    }

    public static FieldCipher.Cell cell(String table, long rowId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, table, "content", rowId);
    }

    public static FieldCipher.Cell fileCell(long documentId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "clinical_document", "file", documentId);
    }

    /** The row's words sealed in its cell; refused (409) for a shredded patient. */
    public byte[] seal(String table, long rowId, int facilityId, long patientId, Object text) {
        return cipher.seal(cell(table, rowId, facilityId, patientId), JSON.writeValueAsString(text));
    }

    /** The row's words, or null if the patient's key was shredded (the caller shows them as erased). */
    <T> T open(String table, long rowId, int facilityId, long patientId, byte[] sealed, Class<T> type) {
        try {
            return JSON.readValue(cipher.open(cell(table, rowId, facilityId, patientId), sealed), type);
        } catch (ErasedValueException erased) {
            return null;
        }
    }

    /** A version of a clinical record as the version log seals it ({@code whole}: the record as JSON). */
    public byte[] sealVersion(String entityType, long entityId, int version, int facilityId, long patientId, String whole) {
        return cipher.seal(VersionLog.snapshotCell("clinical_version", entityType, entityId, version, facilityId, patientId), whole);
    }

    public byte[] sealFile(long documentId, int facilityId, long patientId, byte[] content) {
        return cipher.sealBytes(fileCell(documentId, facilityId, patientId), content);
    }

    /** A document's bytes; a shredded patient's are refused ({@link ErasedValueException}, 409). */
    byte[] openFile(long documentId, int facilityId, long patientId, byte[] sealed) {
        return cipher.openBytes(fileCell(documentId, facilityId, patientId), sealed);
    }

    /**
     * The blind index of an observation's code (equality only, ADR 0042): "the latest of each code" groups by it. The
     * patient is part of the hashed input, so equal tokens say only that one patient's results share a code, never which
     * patients share a test (ADR 0051).
     */
    public byte[] codeToken(int facilityId, long patientId, String code) {
        return code == null ? null : index.token(facilityId, OBSERVATION_CODE, patientId + "|" + code);
    }
}
