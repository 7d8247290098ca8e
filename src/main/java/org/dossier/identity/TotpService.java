package org.dossier.identity;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import org.apache.commons.codec.binary.Base32;
import org.dossier.platform.SecretBox;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Authenticator-app codes (TOTP, RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), computed by the
 * java-otp library. A code is accepted for the current step or one step either side (clock drift), and
 * only once: the last step used is stored, and a code of that step or an earlier one is refused.
 */
@Service
public class TotpService {

    static final Duration STEP = Duration.ofSeconds(30);
    private static final String ISSUER = "Dossier";

    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final Clock clock;
    private final TimeBasedOneTimePasswordGenerator generator;
    private final SecureRandom random = new SecureRandom();

    TotpService(JdbcClient jdbc, SecretBox secrets, Clock clock) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.clock = clock;
        this.generator = new TimeBasedOneTimePasswordGenerator(STEP, 6, TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA1);
    }

    /** A new secret for an account, not yet confirmed: the account proves possession with a first code. */
    public record Enrolment(String secret, String otpauthUri) {
    }

    Enrolment start(long staffId, String username) {
        byte[] raw = new byte[20];
        random.nextBytes(raw);
        String secret = new Base32().encodeAsString(raw).replace("=", "");
        jdbc.sql("""
                        insert into totp_credential (staff_id, secret_sealed, confirmed_at, last_used_step, created_at) values (?, ?, null, 0, ?)
                        on conflict (staff_id) do update set secret_sealed = excluded.secret_sealed, confirmed_at = null,
                            last_used_step = 0, created_at = excluded.created_at""")
                .param(staffId).param(secrets.seal(secret)).param(Timestamp.from(clock.instant())).update();
        return new Enrolment(secret, otpauthUri(username, secret));
    }

    /** Confirms a pending enrolment with its first code; false when the code is wrong. */
    boolean confirm(long staffId, String code) {
        if (!verify(staffId, code, true)) {
            return false;
        }
        jdbc.sql("update totp_credential set confirmed_at = ? where staff_id = ?").param(Timestamp.from(clock.instant())).param(staffId).update();
        return true;
    }

    /** Verifies a code of a confirmed enrolment, at most once per time step. */
    boolean verify(long staffId, String code) {
        return verify(staffId, code, false);
    }

    boolean isConfirmed(long staffId) {
        return jdbc.sql("select exists (select 1 from totp_credential where staff_id = ? and confirmed_at is not null)")
                .param(staffId).query(Boolean.class).single();
    }

    /** Gives an account a known secret, already confirmed: the demo hospital's accounts. */
    void setConfirmedSecret(long staffId, String secret) {
        jdbc.sql("""
                        insert into totp_credential (staff_id, secret_sealed, confirmed_at, last_used_step, created_at) values (?, ?, ?, 0, ?)
                        on conflict (staff_id) do update set secret_sealed = excluded.secret_sealed, confirmed_at = excluded.confirmed_at,
                            last_used_step = 0""")
                .param(staffId).param(secrets.seal(secret)).param(Timestamp.from(clock.instant())).param(Timestamp.from(clock.instant()))
                .update();
    }

    /** The code of a secret at an instant: for the demo's helper and the tests, never for verification shortcuts. */
    public static String codeAt(String base32Secret, Instant at) {
        try {
            TimeBasedOneTimePasswordGenerator g = new TimeBasedOneTimePasswordGenerator(STEP, 6,
                    TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA1);
            return String.format("%06d", g.generateOneTimePassword(key(base32Secret), at));
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private boolean verify(long staffId, String code, boolean pending) {
        if (code == null || !code.strip().matches("\\d{6}")) {
            return false;
        }
        Optional<String[]> row = jdbc.sql("select secret_sealed, last_used_step from totp_credential where staff_id = ? and "
                        + (pending ? "confirmed_at is null" : "confirmed_at is not null"))
                .param(staffId).query((rs, n) -> new String[]{rs.getString(1), Long.toString(rs.getLong(2))}).optional();
        if (row.isEmpty()) {
            return false;
        }
        String secret = secrets.open(row.get()[0]);
        long lastUsed = Long.parseLong(row.get()[1]);
        long now = clock.instant().getEpochSecond() / STEP.getSeconds();
        byte[] given = code.strip().getBytes(StandardCharsets.US_ASCII);
        for (long step = now - 1; step <= now + 1; step++) {
            byte[] expected = codeAt(secret, Instant.ofEpochSecond(step * STEP.getSeconds())).getBytes(StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(expected, given)) {
                // Atomic: of two requests replaying the same code, one wins.
                return step > lastUsed && jdbc.sql("update totp_credential set last_used_step = ? where staff_id = ? and last_used_step < ?")
                        .param(step).param(staffId).param(step).update() == 1;
            }
        }
        return false;
    }

    private static SecretKeySpec key(String base32Secret) {
        return new SecretKeySpec(new Base32().decode(base32Secret), TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA1);
    }

    private static String otpauthUri(String username, String secret) {
        String label = URLEncoder.encode(ISSUER + ":" + username, StandardCharsets.UTF_8).replace("+", "%20");
        return "otpauth://totp/" + label + "?secret=" + secret + "&issuer=" + ISSUER + "&algorithm=SHA1&digits=6&period=30";
    }
}
