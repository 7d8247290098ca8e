package org.dossier.audit.bulk;

import org.dossier.audit.AuditPurpose;

import org.dossier.audit.AuditReason;

import org.dossier.audit.AuditResource;

import org.dossier.audit.AuditAction;

import org.dossier.audit.AuditRecord;
import org.dossier.audit.HistoryChain;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a synthetic history of chart reads into the trail, chained and checkpointed exactly as live entries
 * are, so that reports and verification can be measured on a trail of realistic size (bench/run.sh loads ten
 * million entries). Staff read patients of their facility; one account in a hundred reads many more, as a
 * stolen one would. For demo and benchmark data only: it holds the chain head for the whole load.
 */
@Component
public class AuditHistoryLoader {

    private final BulkLoad bulk;
    private final HistoryChain chain;

    AuditHistoryLoader(BulkLoad bulk, HistoryChain chain) {
        this.bulk = bulk;
        this.chain = chain;
    }

    /** One account that read patients: who it is and the patient ids it may be shown. */
    public record Reader(long staffId, String username, String roles, int facilityId, long firstPatient, long lastPatient) {
    }

    /** The head of the chain: the last sequence number and its hash. */
    private record Head(long seq, String hash) {
    }

    /** Appends {@code count} entries spread evenly over {@code span} before now; returns the number written. */
    public long load(long count, List<Reader> readers, Duration span, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        bulk.run(session -> {
            Connection connection = session.connection();
            List<HistoryChain.Checkpoint> checkpoints = new ArrayList<>();
            Head head = append(session, lockedHead(connection), count, readers, span, random, checkpoints);
            insert(connection, checkpoints);
            try (var update = connection.prepareStatement("update audit_head set last_seq = ?, last_hash = ? where id = 1")) {
                update.setLong(1, head.seq());
                update.setString(2, head.hash());
                update.executeUpdate();
            }
            try (Statement s = connection.createStatement()) {
                s.execute("analyze audit_entry");
            }
        });
        return count;
    }

    private static Head lockedHead(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("select last_seq, last_hash from audit_head where id = 1 for update")) {
            rs.next();
            return new Head(rs.getLong(1), rs.getString(2));
        }
    }

    /** Copies {@code count} chained entries after {@code head}, collecting a signed checkpoint every 10,000; returns the new head. */
    private Head append(BulkLoad.Session session, Head head, long count, List<Reader> readers, Duration span, SplittableRandom random,
                        List<HistoryChain.Checkpoint> checkpoints) throws SQLException {
        HistoryChain.Hasher hasher = chain.hasher();
        Instant start = Instant.now().minus(span);
        long stepNanos = Math.max(1, span.toNanos() / Math.max(1, count));
        long seq = head.seq();
        String hash = head.hash();
        try (BulkCopy copy = session.copy("audit_entry", "seq", "recorded_at", "actor_id", "actor_username", "actor_roles", "facility_id",
                "session_id", "source_address", "user_agent", "action", "patient_id", "resource_type", "resource_id", "sections",
                "decision", "reason_code", "purpose", "request_id", "detail", "prev_hash", "hash")) {
            for (long i = 0; i < count; i++) {
                // A stolen-looking account (the first reader) gets a hundred times the share of the others.
                Reader r = random.nextInt(100) == 0 ? readers.get(0) : readers.get(random.nextInt(readers.size()));
                long patient = r.firstPatient() + random.nextLong(Math.max(1, r.lastPatient() - r.firstPatient() + 1));
                Instant at = start.plusNanos(stepNanos * i).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                AuditRecord record = read(r, patient, at, i);
                seq++;
                String previous = hash;
                hash = hasher.next(previous, seq, record);
                copy.row(seq, at, r.staffId(), r.username(), r.roles(), r.facilityId(), record.sessionId(), record.sourceAddress(),
                        record.userAgent(), "read", patient, "Chart", record.resourceId(), record.sections(), "ALLOW",
                        record.reasonCode(), "TREAT", record.requestId(), null, previous, hash);
                if (seq % 10_000 == 0) {
                    checkpoints.add(chain.checkpoint(seq, hash, at));
                }
            }
        }
        return new Head(seq, hash);
    }

    /** The {@code i}th entry: {@code reader} opening {@code patient}'s whole chart through a current stay. */
    private static AuditRecord read(Reader reader, long patient, Instant at, long i) {
        return AuditRecord.at(at).account(reader.staffId(), reader.username()).roles(reader.roles()).facility(reader.facilityId())
                .session("session:history-" + (i / 200)).from("10.0." + (reader.staffId() % 250) + ".1", "Mozilla/5.0 (history)")
                .action(AuditAction.READ).patient(patient).resource(AuditResource.Chart, patient)
                .sections("IDENTITY,SCHEDULING,ENCOUNTERS,CLINICAL,PRESCRIPTIONS")
                .decision(AuditRecord.Decision.ALLOW, AuditReason.CURRENT_STAY_IN_UNIT).purpose(AuditPurpose.TREAT)
                .request("history-" + i).build();
    }

    private static void insert(Connection connection, List<HistoryChain.Checkpoint> checkpoints) throws SQLException {
        try (var insert = connection.prepareStatement(
                "insert into audit_checkpoint (seq, head_hash, signed_at, key_id, signature) values (?, ?, ?, ?, ?)")) {
            for (HistoryChain.Checkpoint c : checkpoints) {
                insert.setLong(1, c.seq());
                insert.setString(2, c.headHash());
                insert.setTimestamp(3, java.sql.Timestamp.from(c.signedAt()));
                insert.setString(4, c.keyId());
                insert.setString(5, c.signature());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
