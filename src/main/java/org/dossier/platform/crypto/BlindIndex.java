package org.dossier.platform.crypto;

import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Blind indexes (ADR 0042): a keyed HMAC-SHA256 of a normalised value, truncated to 16 bytes, under the facility's INDEX
 * key (never the sealing key), with what the value is ({@code kind}: family name, birth date, INS...) in the hashed input
 * so that equal values of different kinds do not share a token. Equality is all it lets the database compare: no order,
 * no ranges. Names are indexed by their prefixes of {@value #MIN_PREFIX} letters up to {@value #MAX_PREFIX}, so a
 * search by the start of a name becomes one equality; a longer query uses the longest indexed prefix, then the service
 * compares the opened names.
 */
@Component
public class BlindIndex {

    public static final int MIN_PREFIX = 3;
    public static final int MAX_PREFIX = 12;
    static final int TOKEN_BYTES = 16;

    private final DataKeys keys;

    BlindIndex(DataKeys keys) {
        this.keys = keys;
    }

    /** The token of one exact value of a kind, in a facility. */
    public byte[] token(int facilityId, String kind, String normalisedValue) {
        try {
            byte[] input = (kind + "|" + normalisedValue).getBytes(StandardCharsets.UTF_8);
            return keys.indexKey(facilityId).computePrimary(input, TOKEN_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot compute a blind index of kind " + kind, e);
        }
    }

    /** The tokens of the prefixes of a normalised name a record is indexed under (none when it is shorter than the minimum). */
    public List<byte[]> prefixTokens(int facilityId, String kind, String normalisedName) {
        List<byte[]> tokens = new ArrayList<>();
        if (normalisedName == null) {
            return tokens;
        }
        for (int length = MIN_PREFIX; length <= Math.min(MAX_PREFIX, normalisedName.length()); length++) {
            tokens.add(token(facilityId, kind, normalisedName.substring(0, length)));
        }
        return tokens;
    }

    /** The one token a search by the start of a name looks for: that of its longest indexed prefix. */
    public byte[] searchToken(int facilityId, String kind, String normalisedStart) {
        if (normalisedStart == null || normalisedStart.length() < MIN_PREFIX) {
            throw new IllegalArgumentException("a name search needs at least " + MIN_PREFIX + " characters");
        }
        return token(facilityId, kind, normalisedStart.substring(0, Math.min(MAX_PREFIX, normalisedStart.length())));
    }
}
