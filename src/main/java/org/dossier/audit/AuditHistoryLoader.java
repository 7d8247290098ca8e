package org.dossier.audit;

import org.dossier.platform.BulkCopy;
import org.dossier.platform.BulkLoad;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
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
    private final AuditSigner signer;

    AuditHistoryLoader(BulkLoad bulk, AuditSigner signer) {
        this.bulk = bulk;
        this.signer = signer;
    }

    /** One account that read patients: who it is and the patient ids it may be shown. */
    public record Reader(long staffId, String username, String roles, int facilityId, long firstPatient, long lastPatient) {
    }

    /** Appends {@code count} entries spread evenly over {@code span} before now; returns the number written. */
    public long load(long count, List<Reader> readers, Duration span, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] written = {0};
        bulk.run(session -> {
            var connection = connectionOf(session);
            long seq;
            String hash;
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("select last_seq, last_hash from audit_head where id = 1 for update")) {
                rs.next();
                seq = rs.getLong(1);
                hash = rs.getString(2);
            }
            AuditChain.Canonical chain = new AuditChain.Canonical();
            Instant end = Instant.now();
            Instant start = end.minus(span);
            List<Object[]> checkpoints = new java.util.ArrayList<>();
            long stepNanos = Math.max(1, span.toNanos() / Math.max(1, count));
            try (BulkCopy copy = session.copy("audit_entry", "seq", "recorded_at", "actor_id", "actor_username", "actor_roles", "facility_id",
                    "session_id", "source_address", "user_agent", "action", "patient_id", "resource_type", "resource_id", "sections",
                    "decision", "reason_code", "purpose", "request_id", "detail", "prev_hash", "hash")) {
                for (long i = 0; i < count; i++) {
                    // A stolen-looking account (the first reader) gets a hundred times the share of the others.
                    Reader r = random.nextInt(100) == 0 ? readers.get(0) : readers.get(random.nextInt(readers.size()));
                    long patient = r.firstPatient() + random.nextLong(Math.max(1, r.lastPatient() - r.firstPatient() + 1));
                    Instant at = start.plusNanos(stepNanos * i).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                    AuditRecord record = chartOpened(r, patient, at, i);
                    seq++;
                    String previous = hash;
                    hash = chain.next(previous, seq, record);
                    copy.row(seq, at, r.staffId(), r.username(), r.roles(), r.facilityId(), record.sessionId(), record.sourceAddress(),
                            record.userAgent(), "read", patient, "Chart", record.resourceId(), record.sections(), "ALLOW",
                            record.reasonCode(), "TREAT", record.requestId(), null, previous, hash);
                    if (seq % 10_000 == 0) {
                        checkpoints.add(new Object[]{seq, hash, at, signer.sign(seq, hash, at.toString())});
                    }
                    written[0]++;
                }
            }
            insertCheckpoints(connection, checkpoints);
            try (var update = connection.prepareStatement("update audit_head set last_seq = ?, last_hash = ? where id = 1")) {
                update.setLong(1, seq);
                update.setString(2, hash);
                update.executeUpdate();
            }
            try (Statement s = connection.createStatement()) {
                s.execute("analyze audit_entry");
            }
        });
        return written[0];
    }

    /** The {@code i}-th entry of the history: the reader opened the patient's chart, under a stay in their unit. */
    private static AuditRecord chartOpened(Reader r, long patient, Instant at, long i) {
        return AuditRecord.at(at).account(r.staffId(), r.username()).roles(r.roles()).facility(r.facilityId())
                .session("session:history-" + (i / 200)).from("10.0." + (r.staffId() % 250) + ".1", "Mozilla/5.0 (history)")
                .action(AuditAction.READ).patient(patient).resource(AuditResource.Chart, patient)
                .sections("IDENTITY,SCHEDULING,ENCOUNTERS,CLINICAL,PRESCRIPTIONS")
                .decision(AuditRecord.Decision.ALLOW, AuditReason.CURRENT_STAY_IN_UNIT).purpose(AuditPurpose.TREAT)
                .request("history-" + i).build();
    }

    /** The signed checkpoints of the history, every 10,000 entries: {seq, hash, signedAt, signature}. */
    private void insertCheckpoints(java.sql.Connection connection, List<Object[]> checkpoints) throws SQLException {
        try (var insert = connection.prepareStatement(
                "insert into audit_checkpoint (seq, head_hash, signed_at, key_id, signature) values (?, ?, ?, ?, ?)")) {
            for (Object[] c : checkpoints) {
                insert.setLong(1, (long) c[0]);
                insert.setString(2, (String) c[1]);
                insert.setTimestamp(3, java.sql.Timestamp.from((Instant) c[2]));
                insert.setString(4, signer.keyId());
                insert.setString(5, (String) c[3]);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static java.sql.Connection connectionOf(BulkLoad.Session session) throws SQLException {
        return session.connection();
    }
}
