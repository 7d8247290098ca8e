package org.dossier.identity;

import org.apache.commons.codec.binary.Base32;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Ten one-time recovery codes per account, for a lost phone or passkey. Each has 50 random bits, so a
 * SHA-256 hash is enough to store it (unlike a password, it cannot be guessed from a dictionary).
 */
@Component
class RecoveryCodes {

    static final int COUNT = 10;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    RecoveryCodes(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Replaces the account's codes with ten new ones, returned once in clear. */
    List<String> regenerate(long staffId) {
        jdbc.sql("delete from recovery_code where staff_id = ?").param(staffId).update();
        List<String> codes = new ArrayList<>();
        Base32 base32 = new Base32();
        for (int i = 0; i < COUNT; i++) {
            byte[] raw = new byte[7];
            random.nextBytes(raw);
            String code = base32.encodeAsString(raw).substring(0, 10).toLowerCase(Locale.ROOT);
            String formatted = code.substring(0, 5) + "-" + code.substring(5);
            codes.add(formatted);
            jdbc.sql("insert into recovery_code (staff_id, code_hash, created_at) values (?, ?, ?)")
                    .param(staffId).param(hash(formatted)).param(Timestamp.from(clock.instant())).update();
        }
        return codes;
    }

    /** Consumes a code: true once, false ever after. */
    boolean consume(long staffId, String code) {
        if (code == null || code.isBlank()) {
            return false;
        }
        return jdbc.sql("update recovery_code set used_at = ? where staff_id = ? and code_hash = ? and used_at is null")
                .param(Timestamp.from(clock.instant())).param(staffId).param(hash(normalize(code))).update() == 1;
    }

    int remaining(long staffId) {
        return jdbc.sql("select count(*) from recovery_code where staff_id = ? and used_at is null").param(staffId).query(Integer.class).single();
    }

    private static String normalize(String code) {
        String c = code.strip().toLowerCase(Locale.ROOT).replace(" ", "").replace("-", "");
        return c.length() == 10 ? c.substring(0, 5) + "-" + c.substring(5) : c;
    }

    private static String hash(String code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
