package org.dossier.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

    static String canonical(long seq, AuditRecord r) {
        StringBuilder b = new StringBuilder(256);
        append(b, seq);
        append(b, r.recordedAt() == null ? null : r.recordedAt().truncatedTo(ChronoUnit.MICROS));
        append(b, r.actorId());
        append(b, r.actorUsername());
        append(b, r.actorRoles());
        append(b, r.facilityId());
        append(b, r.sessionId());
        append(b, r.sourceAddress());
        append(b, r.userAgent());
        append(b, r.action());
        append(b, r.patientId());
        append(b, r.resourceType());
        append(b, r.resourceId());
        append(b, r.sections());
        append(b, r.decision());
        append(b, r.reasonCode());
        append(b, r.purpose());
        append(b, r.requestId());
        append(b, r.detail());
        return b.toString();
    }

    static String next(MessageDigest sha256, String previousHash, long seq, AuditRecord r) {
        sha256.reset();
        sha256.update(previousHash.getBytes(StandardCharsets.US_ASCII));
        sha256.update(canonical(seq, r).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha256.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void append(StringBuilder b, Object value) {
        b.append(value == null ? ABSENT : value.toString()).append(SEPARATOR);
    }
}
