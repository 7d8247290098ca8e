package org.dossier.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Appends to the hash-chained audit trail and returns only once the entries are committed. Concurrent
 * appends are written together by one writer thread (group commit: one transaction, one INSERT for the
 * whole batch), so the chain stays strictly ordered without a round trip per entry. Each batch moves the
 * one-row chain head with a compare-and-set in the same statement as its insert, so writers on several nodes
 * append in turn. See docs/decisions/0010-audit-chain.md.
 */
@Service
public class AuditTrail implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    private static final int MAX_BATCH = 5_000;
    static final Duration APPEND_TIMEOUT = Duration.ofSeconds(10);

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final AuditSigner signer;
    private final SyslogForwarder forwarder;
    private final Clock clock;
    private final long checkpointEvery;
    private final Duration checkpointInterval;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread writer;
    private Instant lastCheckpointAt;
    /** The chain head as this node last wrote or read it; -1 until read. Only the writer thread touches it. */
    private long headSeq = -1;
    private String headHash;

    AuditTrail(org.dossier.platform.SideConnections side, AuditSigner signer, SyslogForwarder forwarder, Clock clock,
               @Value("${dossier.audit.checkpoint-every:10000}") long checkpointEvery,
               @Value("${dossier.audit.checkpoint-interval:PT60S}") Duration checkpointInterval) {
        // The writer has connections of its own: requests wait for it while holding theirs.
        this.jdbc = side.jdbc();
        this.transaction = side.newTransaction();
        this.signer = signer;
        this.forwarder = forwarder;
        this.clock = clock;
        this.checkpointEvery = checkpointEvery;
        this.checkpointInterval = checkpointInterval;
    }

    private record Pending(List<AuditRecord> records, CompletableFuture<Long> done) {
    }

    /**
     * Appends the records, in order, and waits until they are durable. Returns the sequence number of the
     * last one. Throws {@link AuditUnavailableException} when they could not be written: no data then.
     */
    public long append(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return 0;
        }
        if (!running) {
            throw new AuditUnavailableException("The audit trail is not running", null);
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        queue.add(new Pending(List.copyOf(records), done));
        try {
            return done.get(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("Interrupted while recording the audit entry", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AuditUnavailableException("The audit entry could not be recorded", e);
        }
    }

    public long append(AuditRecord record) {
        return append(List.of(record));
    }

    @Override
    public void start() {
        running = true;
        lastCheckpointAt = jdbc.sql("select max(signed_at) from audit_checkpoint").query(Timestamp.class).optional()
                .map(Timestamp::toInstant).orElse(clock.instant());
        writer = new Thread(this::writeLoop, "audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void stop() {
        running = false;
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done().completeExceptionally(new IllegalStateException("server stopping")));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Signs a checkpoint of the current head now (also done every 10,000 entries and every minute). */
    public void checkpointNow() {
        transaction.executeWithoutResult(tx -> {
            var head = jdbc.sql("select last_seq, last_hash from audit_head where id = 1 for update")
                    .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).single();
            checkpoint((long) head[0], (String) head[1]);
        });
    }

    private void writeLoop() {
        AuditChain.Canonical chain = new AuditChain.Canonical();
        while (running) {
            List<Pending> batch = new ArrayList<>();
            try {
                Pending first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    maybeCheckpointByTime();
                    continue;
                }
                batch.add(first);
                int size = first.records().size();
                while (size < MAX_BATCH) {
                    Pending more = queue.poll();
                    if (more == null) {
                        break;
                    }
                    batch.add(more);
                    size += more.records().size();
                }
                List<AuditEntry> written = new ArrayList<>();
                long[] lastSeqs = write(batch, chain, written);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(lastSeqs[i]);
                }
                forwarder.forward(written);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.done().completeExceptionally(e));
                return;
            } catch (RuntimeException e) {
                log.error("Audit batch of {} appends failed; their requests are refused", batch.size(), e);
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    /**
     * Writes a batch in one statement, committed on its own: the chain head moves only if it is still where this
     * node last saw it (another node may have appended meanwhile; then the head is read again and the batch
     * re-chained). One round trip and one commit per batch, whatever its size.
     */
    private long[] write(List<Pending> batch, AuditChain.Canonical chain, List<AuditEntry> written) {
        for (int attempt = 0; ; attempt++) {
            if (headSeq < 0 || attempt > 0) {
                var head = jdbc.sql("select last_seq, last_hash from audit_head where id = 1")
                        .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).single();
                headSeq = (long) head[0];
                headHash = (String) head[1];
            }
            long seq = headSeq;
            String hash = headHash;
            int total = batch.stream().mapToInt(p -> p.records().size()).sum();
            String[][] columns = new String[21][total];
            long[] lastSeqs = new long[batch.size()];
            written.clear();
            int row = 0;
            for (int b = 0; b < batch.size(); b++) {
                for (AuditRecord r : batch.get(b).records()) {
                    AuditRecord stamped = r.recordedAt() == null ? withTime(r, clock.instant()) : r;
                    stamped = withTime(stamped, stamped.recordedAt().truncatedTo(ChronoUnit.MICROS));
                    seq++;
                    String previous = hash;
                    hash = chain.next(previous, seq, stamped);
                    fill(columns, row++, seq, stamped, previous, hash);
                    written.add(new AuditEntry(seq, stamped, previous, hash));
                }
                lastSeqs[b] = seq;
            }
            Object[] params = new Object[25];
            params[0] = seq;
            params[1] = hash;
            params[2] = headSeq;
            params[3] = headHash;
            System.arraycopy(columns, 0, params, 4, 21);
            int inserted = jdbc.sql("""
                            with head as (
                                update audit_head set last_seq = ?, last_hash = ? where id = 1 and last_seq = ? and last_hash = ? returning 1)
                            insert into audit_entry (seq, recorded_at, actor_id, actor_username, actor_roles, facility_id, session_id,
                                source_address, user_agent, action, patient_id, resource_type, resource_id, sections, decision,
                                reason_code, purpose, request_id, detail, prev_hash, hash)
                            select * from unnest(cast(? as bigint[]), cast(? as timestamptz[]), cast(? as bigint[]), cast(? as text[]),
                                cast(? as text[]), cast(? as int[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                                cast(? as bigint[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                                cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]))
                             where exists (select 1 from head)""")
                    .params(params)
                    .update();
            if (inserted == 0) {
                if (attempt >= 10) {
                    throw new IllegalStateException("The audit chain head keeps moving; giving up after " + attempt + " attempts");
                }
                continue;
            }
            long before = headSeq;
            headSeq = seq;
            headHash = hash;
            if (seq / checkpointEvery > before / checkpointEvery) {
                long at = seq;
                String h = hash;
                transaction.executeWithoutResult(tx -> checkpoint(at, h));
            }
            return lastSeqs;
        }
    }

    private void maybeCheckpointByTime() {
        if (Duration.between(lastCheckpointAt, clock.instant()).compareTo(checkpointInterval) < 0) {
            return;
        }
        try {
            transaction.executeWithoutResult(tx -> {
                var head = jdbc.sql("select last_seq, last_hash from audit_head where id = 1 for update")
                        .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).single();
                long seq = (long) head[0];
                boolean alreadySigned = jdbc.sql("select exists (select 1 from audit_checkpoint where seq = ?)").param(seq)
                        .query(Boolean.class).single();
                if (seq > 0 && !alreadySigned) {
                    checkpoint(seq, (String) head[1]);
                }
            });
            lastCheckpointAt = clock.instant();
        } catch (RuntimeException e) {
            log.warn("Periodic audit checkpoint failed: {}", e.getMessage());
        }
    }

    private void checkpoint(long seq, String hash) {
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        jdbc.sql("insert into audit_checkpoint (seq, head_hash, signed_at, key_id, signature) values (?, ?, ?, ?, ?) on conflict do nothing")
                .param(seq).param(hash).param(Timestamp.from(at)).param(signer.keyId()).param(signer.sign(seq, hash, at.toString()))
                .update();
        lastCheckpointAt = clock.instant();
    }

    private static void fill(String[][] c, int row, long seq, AuditRecord r, String prevHash, String hash) {
        c[0][row] = Long.toString(seq);
        c[1][row] = r.recordedAt().toString();
        c[2][row] = r.actorId() == null ? null : r.actorId().toString();
        c[3][row] = r.actorUsername();
        c[4][row] = r.actorRoles();
        c[5][row] = r.facilityId() == null ? null : r.facilityId().toString();
        c[6][row] = r.sessionId();
        c[7][row] = r.sourceAddress();
        c[8][row] = r.userAgent();
        c[9][row] = r.action();
        c[10][row] = r.patientId() == null ? null : r.patientId().toString();
        c[11][row] = r.resourceType();
        c[12][row] = r.resourceId();
        c[13][row] = r.sections();
        c[14][row] = r.decision() == null ? null : r.decision().name();
        c[15][row] = r.reasonCode();
        c[16][row] = r.purpose();
        c[17][row] = r.requestId();
        c[18][row] = r.detail();
        c[19][row] = prevHash;
        c[20][row] = hash;
    }

    private static AuditRecord withTime(AuditRecord r, Instant at) {
        return new AuditRecord(at, r.actorId(), r.actorUsername(), r.actorRoles(), r.facilityId(), r.sessionId(), r.sourceAddress(),
                r.userAgent(), r.action(), r.patientId(), r.resourceType(), r.resourceId(), r.sections(), r.decision(), r.reasonCode(),
                r.purpose(), r.requestId(), r.detail());
    }
}
