package org.dossier.prescribing;

import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How an order's sealed columns are laid out (V65, ADR 0052): what it says the patient takes — drug, ATC and CIP codes,
 * dose, route, frequency, allergy override reason, an imported order's source — is one JSON document sealed with the
 * patient's own key in {@code sealed_order}; the status reason, written when the order closes, is sealed on its own.
 * The repository, the bulk loader and the data-key rotation job seal and open the same cells.
 */
public final class OrderRows {

    /** What a shredded patient's order shows in place of its drug (ADR 0047): the order's dates and status stay. */
    public static final String ERASED = "(erased)";

    /** The sealed document; {@code source} is the imported order's {@code Imported} as JSON text. */
    public record Text(String drug, String atcCode, String cip13, String dose, String route, String frequency,
                       String allergyOverrideReason, String source) {
    }

    /** The plaintext columns as one document, for a row written before V65 (the rotation job seals it so). */
    public static final String CLEAR_DOCUMENT = "json_build_object('drug', drug, 'atcCode', atc_code, 'cip13', cip13, 'dose', dose,"
            + " 'route', route, 'frequency', frequency, 'allergyOverrideReason', allergy_override_reason, 'source', source::text)::text";

    private OrderRows() {
    }

    public static FieldCipher.Cell orderCell(long orderId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "medication_order", "order", orderId);
    }

    public static FieldCipher.Cell statusReasonCell(long orderId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "medication_order", "status_reason", orderId);
    }

    /** The order's document sealed in the cell of row {@code orderId}. */
    public static byte[] seal(FieldCipher cipher, JsonMapper json, long orderId, int facilityId, long patientId, MedicationOrder o) {
        Text text = new Text(o.drug(), o.atcCode(), o.cip13(), o.dose(), o.route(), o.frequency(), o.allergyOverrideReason(),
                o.source() == null ? null : o.source().toJson());
        return cipher.seal(orderCell(orderId, facilityId, patientId), json.writeValueAsString(text));
    }

    /** The document of the current row: opened, read in clear from a row written before V65, or erased. */
    static Text open(FieldCipher cipher, JsonMapper json, ResultSet rs, long id, int facilityId, long patientId) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_order");
        if (sealed == null) {
            return new Text(rs.getString("drug"), rs.getString("atc_code"), rs.getString("cip13"), rs.getString("dose"),
                    rs.getString("route"), rs.getString("frequency"), rs.getString("allergy_override_reason"), rs.getString("source"));
        }
        try {
            return json.readValue(cipher.open(orderCell(id, facilityId, patientId), sealed), Text.class);
        } catch (ErasedValueException erased) {
            return new Text(ERASED, null, null, ERASED, ERASED, ERASED, null, null);
        }
    }
}
