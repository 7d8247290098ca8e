package org.dossier.audit;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Checks one stretch of the chain as PostgreSQL streams it with {@code COPY (…) TO STDOUT (FORMAT binary)}: the tuples
 * are decoded here straight into the canonical bytes that were hashed (no text decoding, no string or object per entry),
 * and every entry is checked as {@link AuditVerifier} promises — no gap or repeat in the sequence, a link to the entry
 * before, content that gives its stored hash, and a match with each signed checkpoint of the stretch. Stops at the first
 * problem. One per stretch and thread (it reuses its buffers and digest).
 */
final class ChainScan {

    /** The columns read, in the order of the canonical form: seq, recorded_at, the text fields, then the two hashes. */
    static final String COLUMNS = """
            seq, recorded_at, actor_id, actor_username, actor_roles, facility_id, session_id, source_address, user_agent,
                   action, patient_id, resource_type, resource_id, sections, decision, reason_code, purpose, request_id, detail,
                   prev_hash, hash""";

    /** How the canonical fields after the time come in binary: bigint, int or text (see V11__audit.sql). */
    private static final byte BIGINT = 0, INT = 1, TEXT = 2;
    private static final byte[] KINDS = {BIGINT, TEXT, TEXT, INT, TEXT, TEXT, TEXT, TEXT, BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT,
            TEXT, TEXT};
    private static final int COLUMN_COUNT = 2 + KINDS.length + 2;
    private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTEGER = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private final AuditChain.Canonical canonical = new AuditChain.Canonical();
    private final List<AuditVerifier.Checkpoint> checkpoints;
    private final byte[][] checkpointHashes;
    private byte[] previous;
    private byte[] computed = new byte[AuditChain.HEX_LENGTH];
    private long expectedSeq;
    private int nextCheckpoint;
    private String problem;
    private Long brokenSeq;
    // The bytes received and not yet decoded: buffer[position, limit).
    private CopyOut copy;
    private byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;

    /** A stretch starting at entry {@code from}, whose predecessor's hash is {@code previousHash}; the checkpoints within it, in order. */
    ChainScan(long from, String previousHash, List<AuditVerifier.Checkpoint> checkpoints) {
        this.expectedSeq = from;
        this.previous = previousHash.getBytes(StandardCharsets.US_ASCII);
        this.checkpoints = List.copyOf(checkpoints);
        this.checkpointHashes = checkpoints.stream().map(c -> c.hash().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }

    /** Streams the entries from where this stretch is up to {@code to} over the connection, and checks each; stops at the first problem. */
    ChainScan read(Connection connection, long to) throws SQLException {
        copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyOut("copy (select " + COLUMNS + " from audit_entry where seq between " + expectedSeq + " and " + to
                        + " order by seq) to stdout (format binary)");
        try {
            header();
            while (problem == null && available(2)) {
                short fields = (short) SHORT.get(buffer, position);
                position += 2;
                if (fields == -1) {
                    break;
                }
                if (fields != COLUMN_COUNT) {
                    throw new SQLException("COPY sent " + fields + " columns, expected " + COLUMN_COUNT);
                }
                entry();
            }
        } finally {
            finishCopy();
        }
        return this;
    }

    /** After {@link #read}: names the entries up to {@code to} and the checkpoints of the stretch that were not there. */
    ChainScan requireThrough(long to) {
        if (problem == null && expectedSeq <= to) {
            fail(expectedSeq, "entries " + expectedSeq + " to " + to + " are missing");
        }
        if (problem == null && nextCheckpoint < checkpoints.size()) {
            AuditVerifier.Checkpoint missing = checkpoints.get(nextCheckpoint);
            fail(missing.seq(), "checkpoint " + missing.seq() + " signs an entry that is no longer in the trail");
        }
        return this;
    }

    String problem() {
        return problem;
    }

    Long brokenSeq() {
        return brokenSeq;
    }

    /** The next entry expected: one past the last entry checked. */
    long expectedSeq() {
        return expectedSeq;
    }

    /** The hash of the last entry checked (or the predecessor's, when none was). */
    String previousHash() {
        return new String(previous, StandardCharsets.US_ASCII);
    }

    void fail(long seq, String why) {
        problem = why;
        brokenSeq = seq;
    }

    /** One tuple: the canonical form as the fields arrive, then the link, the hash and the checkpoints. */
    private void entry() throws SQLException {
        long seq = fixed(8) ? (long) LONG.get(buffer, advance(8)) : Long.MIN_VALUE;
        if (seq != expectedSeq) {
            fail(expectedSeq, seq > expectedSeq ? "entries " + expectedSeq + " to " + (seq - 1) + " are missing" : "entry " + seq + " is repeated");
            return;
        }
        canonical.start().addNumber(seq);
        if (fixed(8)) {
            canonical.addMicros((long) LONG.get(buffer, advance(8)));
        } else {
            canonical.addAbsent();
        }
        for (byte kind : KINDS) {
            int length = fieldLength();
            if (length < 0) {
                canonical.addAbsent();
            } else if (kind == TEXT) {
                canonical.addUtf8(buffer, advance(length), length);
            } else {
                expect(length, kind == BIGINT ? 8 : 4);
                canonical.addNumber(kind == BIGINT ? (long) LONG.get(buffer, advance(8)) : (int) INTEGER.get(buffer, advance(4)));
            }
        }
        boolean linked = hashField(previous);
        canonical.hash(previous, computed);
        boolean matches = hashField(computed);
        if (!linked) {
            fail(seq, "entry " + seq + " does not link to the entry before it");
        } else if (!matches) {
            fail(seq, "entry " + seq + " was altered: its content no longer matches its hash");
        } else {
            checkpoints(seq);
        }
    }

    private void checkpoints(long seq) {
        while (nextCheckpoint < checkpoints.size() && checkpoints.get(nextCheckpoint).seq() == seq) {
            if (!Arrays.equals(checkpointHashes[nextCheckpoint], computed)) {
                fail(seq, "the chain at entry " + seq + " differs from its signed checkpoint");
                return;
            }
            nextCheckpoint++;
        }
        byte[] swap = previous;
        previous = computed;
        computed = swap;
        expectedSeq++;
    }

    /** Reads a stored hash field (char(64)) and tells whether it is exactly {@code expected}. */
    private boolean hashField(byte[] expected) throws SQLException {
        int length = fieldLength();
        if (length < 0) {
            return false;
        }
        int at = advance(length);
        return length == expected.length && Arrays.equals(buffer, at, at + length, expected, 0, expected.length);
    }

    /** Reads the length of a fixed-size field: true when present (of {@code size} bytes, now buffered), false when null. */
    private boolean fixed(int size) throws SQLException {
        int length = fieldLength();
        if (length < 0) {
            return false;
        }
        expect(length, size);
        need(size);
        return true;
    }

    /** A field's length (-1 for null), with its bytes then buffered. */
    private int fieldLength() throws SQLException {
        need(4);
        int length = (int) INTEGER.get(buffer, position);
        position += 4;
        if (length > 0) {
            need(length);
        }
        return length;
    }

    private static void expect(int length, int size) throws SQLException {
        if (length != size) {
            throw new SQLException("COPY sent a field of " + length + " bytes where " + size + " were expected");
        }
    }

    /** Consumes {@code count} buffered bytes; returns where they start. */
    private int advance(int count) {
        int at = position;
        position += count;
        return at;
    }

    private void need(int count) throws SQLException {
        if (!available(count)) {
            throw new SQLException("COPY ended in the middle of an entry");
        }
    }

    /** Makes {@code count} bytes available from {@code position}, receiving more as needed; false at the end of the data. */
    private boolean available(int count) throws SQLException {
        if (limit - position >= count) {
            return true;
        }
        System.arraycopy(buffer, position, buffer, 0, limit - position);
        limit -= position;
        position = 0;
        while (limit < count) {
            byte[] message = copy.readFromCopy();
            if (message == null) {
                return false;
            }
            if (limit + message.length > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, limit + message.length));
            }
            System.arraycopy(message, 0, buffer, limit, message.length);
            limit += message.length;
        }
        return true;
    }

    /** The binary format's header: the signature, the flags, and an extension area that is skipped. */
    private void header() throws SQLException {
        need(SIGNATURE.length + 8);
        if (!Arrays.equals(buffer, position, position + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new SQLException("COPY did not send the binary format's signature");
        }
        position += SIGNATURE.length + 4;
        int extension = (int) INTEGER.get(buffer, position);
        position += 4;
        need(extension);
        position += extension;
    }

    /**
     * Reads what is left of the data, also after a problem (rather than cancelling), so that the connection goes back to
     * the pool with nothing pending: a broken chain is rare, and its verification need not stop early.
     */
    private void finishCopy() throws SQLException {
        while (copy.isActive() && copy.readFromCopy() != null) {
            // discarded
        }
    }
}
