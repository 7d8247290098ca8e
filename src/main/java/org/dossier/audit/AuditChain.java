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
            if (length + b.length + 1 > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + b.length + 1));
            }
            System.arraycopy(b, 0, bytes, length, b.length);
            length += b.length;
            bytes[length++] = (byte) SEPARATOR;
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
