package org.dossier.patient;

import org.dossier.access.PatientFacts;
import org.dossier.platform.crypto.BlindIndex;
import org.dossier.platform.crypto.FieldCipher;
import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The sealed columns of a patient row and of its versions, as {@link PatientRepository} writes and reads them: the one
 * definition the bulk loader of {@code patient.bulk} shares, so that loaded patients read back as registered ones. Each
 * is sealed with the patient's own key (ADR 0047: shredding it erases them in every copy of the database) and bound to
 * its cell (ADR 0041): a row's details opened as another row's fail. The identity (IPP, names, birth date, INS, NIR) is
 * sealed column by column (the birthplace too, V73), and found through the record's blind-index tokens (ADR 0042, 0046).
 */
public final class PatientRows {

    /** What a token is of: part of its hashed input, so that equal values of different kinds never share a token. */
    static final String FAMILY = "family";
    static final String GIVEN = "given";
    static final String BIRTH = "birth";
    static final String INS = "ins";
    static final String NIR = "nir";
    static final String IPP = "ipp";
    static final String PHONE = "phone";

    /** The identity columns of a summary or label, sealed and (rows not yet sealed) in clear. */
    public static final String IDENTITY_COLUMNS = "ipp, birth_family_name, used_name, given_names, birth_date, ins_matricule, coverage_nir,"
            + " sealed_ipp, sealed_birth_family_name, sealed_used_name, sealed_given_names, sealed_birth_date,"
            + " sealed_ins_matricule, sealed_coverage_nir";

    private PatientRows() {
    }

    public static FieldCipher.Cell detailsCell(long patientId, int facilityId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "patient", "details", patientId);
    }

    /** A version's cell names its number, so that one version's snapshot cannot stand in for another's. */
    public static FieldCipher.Cell versionCell(long patientId, int facilityId, int version) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "patient_version", "snapshot/" + version, patientId);
    }

    /** Where a version's sealed reason lives (V70), named by its number like the snapshot's. */
    public static FieldCipher.Cell versionReasonCell(long patientId, int facilityId, int version) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "patient_version", "reason/" + version, patientId);
    }

    /** One identity column's cell; the birth date's is the gateway's ({@link PatientFacts#birthDateCell}), which opens it too. */
    public static FieldCipher.Cell identityCell(long patientId, int facilityId, String column) {
        return "birth_date".equals(column) ? PatientFacts.birthDateCell(patientId, facilityId)
                : FieldCipher.Cell.ofPatient(patientId, facilityId, "patient", column, patientId);
    }

    /** The {@code sealed_details} column: addresses, phones, emails, contacts, physician, coverage. */
    public static byte[] sealedDetails(org.dossier.platform.crypto.Sealing cipher, JsonMapper json, long patientId, int facilityId, PatientData data) {
        return cipher.seal(detailsCell(patientId, facilityId), json.writeValueAsString(PatientRepository.Details.of(data)));
    }

    /** The {@code sealed_snapshot} of an active patient's first version. */
    public static byte[] sealedFirstVersion(org.dossier.platform.crypto.Sealing cipher, JsonMapper json, long patientId, int facilityId, PatientData data) {
        return cipher.seal(versionCell(patientId, facilityId, 1),
                json.writeValueAsString(new PatientRepository.Snapshot(PatientStatus.ACTIVE, null, data)));
    }

    /**
     * A record's identity as its row holds it: each column sealed in its cell, and the record's blind-index tokens. The
     * birthplace (V73) has none: nothing searches or matches on it.
     */
    public record SealedIdentity(byte[] ipp, byte[] birthFamilyName, byte[] usedName, byte[] givenNames, byte[] birthDate,
                                 byte[] birthplaceCode, byte[] insMatricule, byte[] coverageNir, byte[][] searchTokens) {
    }

    public static SealedIdentity sealIdentity(org.dossier.platform.crypto.Sealing cipher, BlindIndex index, long id, int facilityId, String ipp, PatientData d) {
        return new SealedIdentity(cipher.seal(identityCell(id, facilityId, "ipp"), ipp),
                cipher.seal(identityCell(id, facilityId, "birth_family_name"), d.birthFamilyName()),
                cipher.seal(identityCell(id, facilityId, "used_name"), d.usedName()),
                cipher.seal(identityCell(id, facilityId, "given_names"), d.givenNames()),
                cipher.seal(identityCell(id, facilityId, "birth_date"), d.birthDate().toString()),
                cipher.seal(identityCell(id, facilityId, "birthplace_code"), d.birthplaceCode()),
                cipher.seal(identityCell(id, facilityId, "ins_matricule"), d.insMatricule()),
                cipher.seal(identityCell(id, facilityId, "coverage_nir"), d.coverage() == null ? null : d.coverage().nir()),
                searchTokens(index, facilityId, ipp, d));
    }

    /**
     * What a record is found by (ADR 0042): the prefixes of 3 to 12 characters of its birth and used family names (one
     * kind, so that one token finds either) and of its given names, its birth date, INS, NIR, IPP and phone numbers.
     */
    static byte[][] searchTokens(BlindIndex index, int facilityId, String ipp, PatientData d) {
        return searchTokens(index, facilityId, new Identity(ipp, d.birthFamilyName(), d.usedName(), d.givenNames(), d.birthDate(),
                d.insMatricule(), d.coverage() == null ? null : d.coverage().nir()), d.phones());
    }

    /** The same tokens, of an identity as a row holds it and the record's phones (a row sealed after it was written). */
    public static byte[][] searchTokens(BlindIndex index, int facilityId, Identity d, java.util.List<PatientData.Phone> phones) {
        Set<ByteBuffer> tokens = new LinkedHashSet<>();
        index.prefixTokens(facilityId, FAMILY, NameKeys.of(d.birthFamilyName())).forEach(t -> tokens.add(ByteBuffer.wrap(t)));
        index.prefixTokens(facilityId, FAMILY, NameKeys.of(d.usedName())).forEach(t -> tokens.add(ByteBuffer.wrap(t)));
        index.prefixTokens(facilityId, GIVEN, NameKeys.of(d.givenNames())).forEach(t -> tokens.add(ByteBuffer.wrap(t)));
        tokens.add(ByteBuffer.wrap(index.token(facilityId, BIRTH, d.birthDate().toString())));
        tokens.add(ByteBuffer.wrap(index.token(facilityId, IPP, d.ipp())));
        if (d.insMatricule() != null) {
            tokens.add(ByteBuffer.wrap(index.token(facilityId, INS, d.insMatricule())));
        }
        if (d.coverageNir() != null) {
            tokens.add(ByteBuffer.wrap(index.token(facilityId, NIR, d.coverageNir())));
        }
        for (PatientData.Phone phone : phones == null ? java.util.List.<PatientData.Phone>of() : phones) {
            String digits = phone == null || phone.number() == null ? "" : phone.number().replaceAll("[^0-9]", "");
            if (!digits.isEmpty()) {
                tokens.add(ByteBuffer.wrap(index.token(facilityId, PHONE, digits)));
            }
        }
        return tokens.stream().map(ByteBuffer::array).toArray(byte[][]::new);
    }

    /**
     * The birthplace of the current row of a result that selected {@code birthplace_code, sealed_birthplace_code} with its
     * id and facility: sealed (V73), or clear on a row the server has not sealed yet; a shredded patient's has none. Kept
     * out of {@link Identity}, which every search result and label opens, since only the record itself shows it.
     */
    public static String birthplaceCode(FieldCipher cipher, ResultSet rs) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_birthplace_code");
        if (sealed == null) {
            return rs.getString("birthplace_code");
        }
        try {
            return cipher.open(identityCell(rs.getLong("id"), rs.getInt("facility_id"), "birthplace_code"), sealed);
        } catch (org.dossier.platform.crypto.ErasedValueException erased) {
            return null;
        }
    }

    /** The identity of the current row of a result that selected {@link #IDENTITY_COLUMNS} with its id and facility. */
    public record Identity(String ipp, String birthFamilyName, String usedName, String givenNames, LocalDate birthDate,
                    String insMatricule, String coverageNir) {

        /** Whose key was shredded (ADR 0047): their record stays, its identity reads as erased, never a 500. */
        static final String ERASED = "(erased)";

        public static Identity open(FieldCipher cipher, ResultSet rs) throws SQLException {
            long id = rs.getLong("id");
            int facilityId = rs.getInt("facility_id");
            try {
                return opened(cipher, rs, id, facilityId);
            } catch (org.dossier.platform.crypto.ErasedValueException erased) {
                return new Identity(ERASED, ERASED, null, ERASED, null, null, null);
            }
        }

        private static Identity opened(FieldCipher cipher, ResultSet rs, long id, int facilityId) throws SQLException {
            String birthDate = column(cipher, rs, id, facilityId, "birth_date");
            return new Identity(column(cipher, rs, id, facilityId, "ipp"), column(cipher, rs, id, facilityId, "birth_family_name"),
                    column(cipher, rs, id, facilityId, "used_name"), column(cipher, rs, id, facilityId, "given_names"),
                    birthDate == null ? null : LocalDate.parse(birthDate), column(cipher, rs, id, facilityId, "ins_matricule"),
                    column(cipher, rs, id, facilityId, "coverage_nir"));
        }

        /** A row the server has not sealed yet (before V57) answers in clear. */
        private static String column(FieldCipher cipher, ResultSet rs, long id, int facilityId, String column) throws SQLException {
            byte[] sealed = rs.getBytes("sealed_" + column);
            return sealed == null ? rs.getString(column) : cipher.open(identityCell(id, facilityId, column), sealed);
        }
    }
}
