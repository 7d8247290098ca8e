package org.dossier.portal;

import org.dossier.platform.FacilityScope;
import org.dossier.platform.crypto.BlindIndex;
import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * A portal account's username (V74, ADR 0058): sealed with the patient's own key, bound to its cell, and found by a
 * blind-index token of the name under the facility's INDEX key. The sign-in and the enrolment's "taken" check do not know
 * the facility: they look for the name's token under every facility's key (the facilities are a handful, read once and
 * read again when a name is not found, in case one was added since).
 */
@Component
public class PortalUsernames {

    /** What the token is of, in the HMAC's input: a username's token is no other value's. */
    static final String KIND = "portal-username";
    /** What a throttle key is of: a name's failures are counted under its own keyed hash, not under its column token. */
    private static final String THROTTLE_KIND = "portal-username-throttle";
    /** The name of an account in the trail, the throttle and the notes: its id, never the name the patient chose. */
    static final String LABEL = "portal-account-";

    private final JdbcClient jdbc;
    private final FieldCipher cipher;
    private final BlindIndex index;
    private volatile List<Integer> facilities;

    PortalUsernames(JdbcClient jdbc, FieldCipher cipher, BlindIndex index) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.index = index;
    }

    /** A typed username as the sign-in compares it: trimmed, lower-case. */
    public static String normalised(String username) {
        return username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
    }

    /** How the trail, the throttle and the security officer's notes name an account. */
    static String label(long accountId) {
        return LABEL + accountId;
    }

    /**
     * What the sign-in throttle counts a name's failures under: a keyed hash of it (the first facility's INDEX key, its own
     * kind, so it is no column's token), the same before the account is known and after, never the name itself.
     */
    String throttleKey(String normalisedName) {
        return "portal-name:" + java.util.HexFormat.of().formatHex(index.token(facilities(false).get(0), THROTTLE_KIND, normalisedName));
    }

    public byte[] token(int facilityId, String normalisedName) {
        return index.token(facilityId, KIND, normalisedName);
    }

    /** The name's token under each facility's key, for {@code username_token = any(?)}. */
    byte[][] tokens(String normalisedName) {
        return tokens(normalisedName, facilities(false));
    }

    /** A name's tokens at enrolment: under every facility's key (the "taken" check), and under its own facility's (written). */
    record Tokens(byte[][] everywhere, byte[] own) {
    }

    /** The name's tokens under the key of every facility, read afresh (enrolments are few), and under the account's own. */
    Tokens tokensFor(String normalisedName, int ownFacilityId) {
        return new Tokens(tokens(normalisedName, facilities(true)), token(ownFacilityId, normalisedName));
    }

    /** The same, after reading the facilities again: answers null when none was added since the last read. */
    byte[][] tokensOfNewFacilities(String normalisedName) {
        List<Integer> known = facilities;
        List<Integer> now = facilities(true);
        return now.equals(known) ? null : tokens(normalisedName, now);
    }

    private byte[][] tokens(String normalisedName, List<Integer> facilityIds) {
        byte[][] tokens = new byte[facilityIds.size()][];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = token(facilityIds.get(i), normalisedName);
        }
        return tokens;
    }

    private List<Integer> facilities(boolean reread) {
        List<Integer> known = facilities;
        if (known == null || reread) {
            known = FacilityScope.asSystem(() -> jdbc.sql("select id from facility order by id").query(Integer.class).list());
            facilities = List.copyOf(known);
        }
        return known;
    }

    /** The username sealed in its row's cell; a shredded patient's cannot be (ErasedValueException: nothing to write). */
    public byte[] seal(long patientId, int facilityId, long accountId, String normalisedName) {
        return cipher.seal(cell(patientId, facilityId, accountId), normalisedName);
    }

    /**
     * The username of the current row (selected with id, patient_id, facility_id, username and sealed_username): opened,
     * or the clear one of a row written before V74; null when the patient was shredded (there is no name any more).
     */
    String open(ResultSet rs) throws SQLException {
        return open(rs.getLong("patient_id"), rs.getInt("facility_id"), rs.getLong("id"), rs.getBytes("sealed_username"),
                rs.getString("username"));
    }

    /** The same, of an account's values selected under other names. */
    String open(long patientId, int facilityId, long accountId, byte[] sealed, String clear) {
        if (sealed == null) {
            return clear;
        }
        try {
            return cipher.open(cell(patientId, facilityId, accountId), sealed);
        } catch (ErasedValueException erased) {
            return null;
        }
    }

    private static FieldCipher.Cell cell(long patientId, int facilityId, long accountId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, "portal_account", "username", accountId);
    }
}
