package org.dossier.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The chain: hash(n) = SHA-256(hash(n-1) ‖ canonical(entry n)). The canonical form lists every field in a
 * fixed order, separated by the ASCII unit separator, with absent fields written as a distinct marker, and
 * times truncated to microseconds (what PostgreSQL keeps), so that a verifier reading the database
 * recomputes exactly the bytes that were hashed.
 */
final class AuditChain {

    static final String GENESIS = "0".repeat(64);
    private static final char SEPARATOR = '\u001f';
    private static final String ABSENT = "\u2205";

    private AuditChain() {
    }

    /** The number of fields after the sequence number and the time, in canonical order (as the verifier reads them). */
    static final int TEXT_FIELDS = 17;

    private static final byte[] ABSENT_UTF8 = ABSENT.getBytes(StandardCharsets.UTF_8);

    /** A hash as text: 64 lowercase hexadecimal digits. */
    static final int HEX_LENGTH = 64;
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
    private static final long POSTGRES_EPOCH = 946_684_800L;

    /**
     * The canonical form as the UTF-8 bytes that are hashed, built in a reusable buffer: the sequence number, the time,
     * then {@link #TEXT_FIELDS} fields as text (numbers in decimal, the decision by name), each followed by the
     * separator, an absent field written as the marker. The one definition, for the writer and the verifier. One per
     * thread (it reuses its buffer and its digest).
     */
    static final class Canonical {
        private final MessageDigest sha256 = sha256();
        private byte[] bytes = new byte[512];
        private int length;

        Canonical of(long seq, Instant recordedAt, String... fields) {
            length = 0;
            add(Long.toString(seq));
            add(recordedAt == null ? null : recordedAt.truncatedTo(ChronoUnit.MICROS).toString());
            for (String field : fields) {
                add(field);
            }
            return this;
        }

        private void add(String value) {
            byte[] b = value == null ? ABSENT_UTF8 : value.getBytes(StandardCharsets.UTF_8);
            addUtf8(b, 0, b.length);
        }

        // The same form built from the values as PostgreSQL sends them in binary (the verifier's path, see ChainScan):
        // numbers and the time written here as the strings above would be, text copied as the UTF-8 it already is.

        /** Starts a new entry. */
        Canonical start() {
            length = 0;
            return this;
        }

        /** A field of {@code length} bytes of UTF-8 text at {@code offset} of {@code source}. */
        void addUtf8(byte[] source, int offset, int count) {
            if (length + count + 1 > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count + 1));
            }
            System.arraycopy(source, offset, bytes, length, count);
            length += count;
            bytes[length++] = (byte) SEPARATOR;
        }

        void addAbsent() {
            addUtf8(ABSENT_UTF8, 0, ABSENT_UTF8.length);
        }

        /** A number in decimal, as {@link Long#toString(long)} writes it. */
        void addNumber(long value) {
            if (length + 21 > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            if (value == Long.MIN_VALUE) {
                byte[] min = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
                addUtf8(min, 0, min.length);
                return;
            }
            if (value < 0) {
                bytes[length++] = '-';
                value = -value;
            }
            int digits = 1;
            for (long v = value; v >= 10; v /= 10) {
                digits++;
            }
            for (int i = length + digits - 1; i >= length; i--) {
                bytes[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            length += digits;
            bytes[length++] = (byte) SEPARATOR;
        }

        /** The minute of the last time written ("2026-11-29T10:15:"), reused: most entries follow one another closely. */
        private long minute = Long.MIN_VALUE;
        private byte[] minuteText;

        /**
         * A time given as PostgreSQL keeps a timestamptz (microseconds since 2000-01-01 UTC), as {@link Instant#toString()}
         * writes it: seconds always, then the fraction in groups of three digits, none when zero.
         */
        void addMicros(long micros) {
            long epochSecond = Math.floorDiv(micros, 1_000_000L) + POSTGRES_EPOCH;
            int micro = (int) Math.floorMod(micros, 1_000_000L);
            long m = Math.floorDiv(epochSecond, 60);
            if (m != minute || minuteText == null) {
                String text = Instant.ofEpochSecond(m * 60).toString(); // "…T10:15:00Z"
                minuteText = text.substring(0, text.length() - 3).getBytes(StandardCharsets.US_ASCII);
                minute = m;
            }
            if (length + minuteText.length + 12 > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2 + minuteText.length);
            }
            System.arraycopy(minuteText, 0, bytes, length, minuteText.length);
            length += minuteText.length;
            length = digits(Math.floorMod(epochSecond, 60), 2);
            if (micro != 0) {
                bytes[length++] = '.';
                length = micro % 1000 == 0 ? digits(micro / 1000, 3) : digits(micro, 6);
            }
            bytes[length++] = 'Z';
            bytes[length++] = (byte) SEPARATOR;
        }

        private int digits(long value, int count) {
            for (int i = length + count - 1; i >= length; i--) {
                bytes[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            return length + count;
        }

        /** The hash of an entry: the previous hash and the entry's canonical form. */
        String next(String previousHash, long seq, AuditRecord r) {
            return of(seq, r.recordedAt(), text(r.actorId()), r.actorUsername(), r.actorRoles(), text(r.facilityId()), r.sessionId(),
                    r.sourceAddress(), r.userAgent(), r.action(), text(r.patientId()), r.resourceType(), r.resourceId(), r.sections(),
                    r.decision() == null ? null : r.decision().name(), r.reasonCode(), r.purpose(), r.requestId(), r.detail())
                    .hash(previousHash);
        }

        /** SHA-256 of the previous hash (hex, ASCII) followed by these bytes, as hex. */
        String hash(String previousHash) {
            sha256.reset();
            sha256.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            sha256.update(bytes, 0, length);
            return HexFormat.of().formatHex(sha256.digest());
        }

        private final byte[] digest = new byte[32];

        /** The same, with no string: the previous hash as its 64 ASCII hex digits, the hash written as such into {@code hex}. */
        void hash(byte[] previousHex, byte[] hex) {
            sha256.reset();
            sha256.update(previousHex, 0, HEX_LENGTH);
            sha256.update(bytes, 0, length);
            try {
                sha256.digest(digest, 0, digest.length);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < digest.length; i++) {
                hex[2 * i] = HEX_DIGITS[(digest[i] >> 4) & 0xf];
                hex[2 * i + 1] = HEX_DIGITS[digest[i] & 0xf];
            }
        }

    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
