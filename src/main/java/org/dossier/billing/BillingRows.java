package org.dossier.billing;

import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How billing's sealed columns are laid out (V65, ADR 0052), each sealed with the patient's own key: a card read's holder
 * name and NIR, beneficiary name and rights as one document ({@code health_card_read.sealed_card}); a claim's beneficiary
 * NIR and the insurer's rejection reason; an invoice's status reason. The repositories, the bulk loader and the data-key
 * rotation job seal and open the same cells. A row written in clear before V65 reads as it is.
 */
public final class BillingRows {

    /** What a shredded patient's sealed text shows (ADR 0047); a NIR reads as null. */
    public static final String ERASED = "(erased)";

    /** A card read's sealed document. */
    public record Card(String cardHolderName, String cardHolderNir, String beneficiaryName, HealthCardRead.Rights rights) {
    }

    /** The plaintext columns of a card read as its document, for a row written before V65 (the rotation job seals it so). */
    public static final String CLEAR_CARD = "json_build_object('cardHolderName', card_holder_name, 'cardHolderNir', card_holder_nir,"
            + " 'beneficiaryName', beneficiary_name, 'rights', rights)::text";

    private BillingRows() {
    }

    public static FieldCipher.Cell cardCell(long readId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "health_card_read", "card", readId);
    }

    public static FieldCipher.Cell nirCell(long claimId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "claim", "beneficiary_nir", claimId);
    }

    public static FieldCipher.Cell rejectionCell(long claimId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "claim", "rejection_reason", claimId);
    }

    public static FieldCipher.Cell invoiceReasonCell(long invoiceId, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "invoice", "status_reason", invoiceId);
    }

    public static byte[] sealCard(FieldCipher cipher, JsonMapper json, HealthCardRead r) {
        return cipher.seal(cardCell(r.id(), r.facilityId(), r.patientId()), json.writeValueAsString(
                new Card(r.cardHolderName(), r.cardHolderNir(), r.beneficiaryName(), r.rights())));
    }

    /** The card document of the current row: opened, read in clear from a row written before V65, or erased. */
    static Card openCard(FieldCipher cipher, JsonMapper json, ResultSet rs) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_card");
        if (sealed == null) {
            return new Card(rs.getString("card_holder_name"), rs.getString("card_holder_nir"), rs.getString("beneficiary_name"),
                    json.readValue(rs.getString("rights"), HealthCardRead.Rights.class));
        }
        try {
            return json.readValue(cipher.open(cardCell(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id")), sealed),
                    Card.class);
        } catch (ErasedValueException erased) {
            return new Card(ERASED, null, ERASED, null);
        }
    }

    /**
     * One sealed text of the current row ({@code sealed_<column>}, else the clear {@code column} of a row written before
     * V65); a shredded patient's reads as {@code erased}.
     */
    static String open(FieldCipher cipher, ResultSet rs, String column, FieldCipher.Cell cell, String erased) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_" + column);
        if (sealed == null) {
            return rs.getString(column);
        }
        try {
            return cipher.open(cell, sealed);
        } catch (ErasedValueException e) {
            return erased;
        }
    }
}
