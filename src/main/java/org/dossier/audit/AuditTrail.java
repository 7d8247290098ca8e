package org.dossier.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

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
    private final org.dossier.platform.SideConnections side;
    private final AuditSigner signer;
    private final SyslogForwarder forwarder;
    private final AuditWitness witness;
    private final org.springframework.context.ApplicationEventPublisher events;
    private final boolean verifyOnly;
    private final Clock clock;
    /** The checkpoint cadence runs on real time, even when the application's clock is simulated. */
    private final Clock wall = Clock.systemUTC();
    private final long checkpointEvery;
    private final Duration checkpointInterval;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread writer;
    private Instant lastCheckpointAt;
    /** The chain head as this node last wrote or read it; -1 until read. Only the writer thread touches it. */
    private long headSeq = -1;
    private String headHash;
    /**
     * What this server trusts, whatever the database says: the last checkpoint it signed and witnessed (or, at start, the
     * last one in the witness file), and the furthest entry it wrote itself. Only the writer thread touches them.
     */
    private AuditWitness.Signed anchor;
    private AuditWitness.Signed highWater;
    /**
     * Set at the first sign of tampering, until a restart: nothing is signed, and the entries written since (chained on the
     * database's head, so that the hospital keeps working and every access is still recorded) do not move the high-water
     * mark, so that the stop line still names the last entry written before the chain was touched.
     */
    private volatile String tainted;
    /** For the metrics (read by the scrape, written by the writer): the oldest append of the batch being written (nanoTime, 0: none). */
    private volatile long writingSince;
    /** When the newest entry of the chain that this server knows of was recorded (its own, or another node's seen at a checkpoint). */
    private volatile Instant headRecordedAt;
    private long headRecordedSeq = -1;
    /** When the chain was last checked and witnessed (a checkpoint signed, or the last one witnessed again). */
    private volatile Instant lastGoodCheckpointAt;
    private final io.micrometer.core.instrument.Timer appendTimer;

    AuditTrail(org.dossier.platform.SideConnections side, AuditSigner signer, SyslogForwarder forwarder, AuditWitness witness,
               org.springframework.context.ApplicationEventPublisher events, Clock clock,
               io.micrometer.core.instrument.MeterRegistry meters,
               @Value("${dossier.audit.checkpoint-every:10000}") long checkpointEvery,
               @Value("${dossier.audit.checkpoint-interval:PT60S}") Duration checkpointInterval,
               @Value("${dossier.audit.verify-and-exit:false}") boolean verifyOnly) {
        this.witness = witness;
        this.events = events;
        this.verifyOnly = verifyOnly;
        // The writer has connections of its own: requests wait for it while holding theirs.
        this.side = side;
        this.jdbc = side.jdbc();
        this.signer = signer;
        this.forwarder = forwarder;
        this.clock = clock;
        this.checkpointEvery = checkpointEvery;
        this.checkpointInterval = checkpointInterval;
        this.appendTimer = registerMetrics(meters);
    }

    /**
     * The writer's health for the metrics: how long the oldest waiting append has waited (a writer that is stuck or a
     * database that is slow shows here first), how old the chain's head is, how long since the chain was last checked
     * and witnessed, whether it is intact, and the time each append waited for its commit. Read from what the writer
     * keeps in memory: a scrape costs no query.
     */
    private io.micrometer.core.instrument.Timer registerMetrics(io.micrometer.core.instrument.MeterRegistry meters) {
        io.micrometer.core.instrument.Gauge.builder("dossier.audit.append.lag", this, t -> t.appendLag().toNanos() / 1e9)
                .baseUnit("seconds").description("How long the oldest append not yet committed has waited").register(meters);
        io.micrometer.core.instrument.Gauge.builder("dossier.audit.queue", queue, q -> q.size())
                .description("Appends waiting for the audit writer").register(meters);
        io.micrometer.core.instrument.Gauge.builder("dossier.audit.chain.head.age", this, t -> t.age(t.headRecordedAt, t.clock))
                .baseUnit("seconds").description("Age of the newest audit entry this server knows of").register(meters);
        io.micrometer.core.instrument.Gauge.builder("dossier.audit.checkpoint.age", this, t -> t.age(t.lastGoodCheckpointAt, t.wall))
                .baseUnit("seconds").description("Time since the chain was last checked, signed and witnessed").register(meters);
        io.micrometer.core.instrument.Gauge.builder("dossier.audit.chain.intact", this, t -> t.tainted == null ? 1 : 0)
                .description("0 once the writer found the chain broken (nothing is signed until a restart)").register(meters);
        return io.micrometer.core.instrument.Timer.builder("dossier.audit.append")
                .description("Time from an append to its commit (a request waits this long for its audit entry)")
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
                        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), APPEND_TIMEOUT)
                .register(meters);
    }

    /** How long the oldest append not yet committed has waited (zero when none waits). */
    Duration appendLag() {
        long oldest = writingSince;
        Pending next = queue.peek();
        if (next != null && (oldest == 0 || next.enqueuedAt() - oldest < 0)) {
            oldest = next.enqueuedAt();
        }
        return oldest == 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, System.nanoTime() - oldest));
    }

    private double age(Instant at, Clock now) {
        return at == null ? Double.NaN : Math.max(0, Duration.between(at, now.instant()).toMillis() / 1000.0);
    }

    /** Records to append, or (with no records) a request for a checkpoint now, answered by {@code checkpoint}. */
    private record Pending(List<AuditRecord> records, CompletableFuture<Long> done, CompletableFuture<Checkpoint> checkpoint,
                           long enqueuedAt) {
    }

    /** The outcome of a checkpoint: signed (and witnessed), or refused because the chain is broken, with why. */
    public record Checkpoint(boolean signed, long seq, String problem) {
    }

    /**
     * Appends the records, in order, and waits until they are durable. Returns the sequence number of the
     * last one. Throws {@link AuditUnavailableException} when they could not be written: no data then.
     */
    public long append(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return 0;
        }
        if (!running || writer == null) {
            throw new AuditUnavailableException("The audit trail is not running", null);
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        long enqueuedAt = System.nanoTime();
        queue.add(new Pending(List.copyOf(records), done, null, enqueuedAt));
        try {
            long seq = done.get(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            appendTimer.record(System.nanoTime() - enqueuedAt, TimeUnit.NANOSECONDS);
            return seq;
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
        if (verifyOnly) {
            return; // bin/audit-verify reads; it writes neither entries nor witness lines
        }
        headSeq = -1;
        highWater = null;
        tainted = null;
        anchor = initialAnchor();
        if (anchor.signature() == null) {
            String at = clock.instant().truncatedTo(ChronoUnit.MICROS).toString();
            anchor = new AuditWitness.Signed(0, AuditChain.GENESIS, at, signer.sign(0, AuditChain.GENESIS, at));
        }
        witness.start(anchor, checkpointInterval);
        lastCheckpointAt = wall.instant();
        writer = new Thread(this::writeLoop, "audit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * At start, the last checkpoint of the witness file; with no witness yet (a first start, or an upgrade), the last
     * checkpoint in the database whose signature holds, trusted on first use; else the empty chain.
     */
    private AuditWitness.Signed initialAnchor() {
        try {
            List<AuditWitness.Line> lines = witness.read();
            if (!lines.isEmpty()) {
                AuditWitness.Line last = lines.get(lines.size() - 1);
                if (AuditWitness.STOP.equals(last.type()) && last.signed()) {
                    // What the last run wrote last: the database must still hold it.
                    highWater = new AuditWitness.Signed(last.seq(), last.hash(), null, null);
                }
            }
            for (int i = lines.size() - 1; i >= 0; i--) {
                AuditWitness.Line l = lines.get(i);
                if (AuditWitness.CHECKPOINT.equals(l.type()) && l.signed()) {
                    return new AuditWitness.Signed(l.seq(), l.hash(), l.signedAt(), l.signature());
                }
            }
        } catch (java.io.IOException e) {
            log.error("Cannot read the audit witness {}: {}", witness.describe(), e.getMessage());
        }
        return jdbc.sql("select seq, head_hash, signed_at, signature from audit_checkpoint order by seq desc limit 20")
                .query((rs, n) -> new AuditWitness.Signed(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(), rs.getString(4)))
                .list().stream().filter(c -> AuditSigner.verify(signer.publicKeyBase64(), c.seq(), c.hash(), c.signedAt(), c.signature()))
                .findFirst().orElse(new AuditWitness.Signed(0, AuditChain.GENESIS, null, null));
    }

    /**
     * Stops after the web server has finished its requests (Spring stops the higher phases first, and the web server's
     * graceful shutdown is at {@code GRACEFUL_SHUTDOWN_PHASE}), so that a request still under way during a graceful
     * shutdown gets its audit entry; starts before the web server takes requests. The witness and the syslog copy stop
     * after it (a lower phase still), so that its last lines reach them.
     */
    @Override
    public int getPhase() {
        return PHASE;
    }

    static final int PHASE = org.springframework.boot.web.server.context.WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 10;

    /**
     * Writes what is queued, then stops: the writer takes no new wait once {@code running} is false, and leaves when the
     * queue is empty. Only a writer that does not finish within {@link #STOP_WAIT} is interrupted, and what it leaves
     * refused (the requests that wait for it fail closed, as they would have without the shutdown).
     */
    @Override
    public void stop() {
        running = false;
        if (writer == null) {
            return;
        }
        try {
            writer.join(STOP_WAIT.toMillis());
            if (writer.isAlive()) {
                log.warn("The audit writer did not finish within {}; what it still holds is refused", STOP_WAIT);
                writer.interrupt();
                writer.join(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> {
            if (p.done() != null) {
                p.done().completeExceptionally(new IllegalStateException("server stopping"));
            } else {
                p.checkpoint().completeExceptionally(new IllegalStateException("server stopping"));
            }
        });
        if (!writer.isAlive()) {
            // The writer is gone: this thread may touch its state. A last checkpoint, then the stop line, which signs the last
            // head this server wrote (not the database's): the offline verifier compares the database with it.
            try {
                checkpoint();
            } catch (RuntimeException e) {
                log.warn("Final audit checkpoint failed: {}", e.getMessage());
            }
            AuditWitness.Signed last = highWater != null && highWater.seq() > anchor.seq() ? highWater : anchor;
            String at = clock.instant().truncatedTo(ChronoUnit.MICROS).toString();
            witness.stop(new AuditWitness.Signed(last.seq(), last.hash(), at, signer.sign(last.seq(), last.hash(), at)));
        }
        writer = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Signs a checkpoint of the current head now (also done every 10,000 entries and every minute), after checking the
     * chain from the last signed checkpoint up to it; a broken chain is refused and alerted, not signed. Runs on the
     * writer thread, which owns what the server trusts. Null when this process writes no trail ({@code bin/audit-verify}).
     */
    public Checkpoint checkpointNow() {
        if (!running || writer == null) {
            return null;
        }
        CompletableFuture<Checkpoint> done = new CompletableFuture<>();
        queue.add(new Pending(List.of(), null, done, System.nanoTime()));
        try {
            return done.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("Interrupted while signing a checkpoint", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AuditUnavailableException("The checkpoint could not be made", e);
        }
    }

    /** True when this process runs the writer (the server), false in {@code bin/audit-verify}. */
    boolean writing() {
        return running && writer != null;
    }

    Duration checkpointInterval() {
        return checkpointInterval;
    }

    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    private void writeLoop() {
        AuditChain.Canonical chain = new AuditChain.Canonical();
        boolean first = true;
        // After stop() the queue is still written out: the server's last requests have been answered, their entries must be in.
        while (running || !queue.isEmpty()) {
            List<Pending> batch = new ArrayList<>();
            List<Pending> checkpoints = new ArrayList<>();
            try {
                if (first) {
                    // Before anything is appended: does the database still hold what was last witnessed?
                    first = false;
                    checkpoint();
                }
                Pending next = queue.poll(running ? 1_000 : 0, TimeUnit.MILLISECONDS);
                if (next == null) {
                    maybeCheckpointByTime();
                    continue;
                }
                drain(next, batch, checkpoints);
                writingSince = batch.isEmpty() ? 0 : batch.get(0).enqueuedAt();
                boolean countCheckpointDue = !batch.isEmpty() && appendOrSplit(batch, chain);
                writingSince = 0; // released: a checkpoint after it is no append's wait
                // After the requests are released: they never wait for a checkpoint's verification.
                if (countCheckpointDue || !checkpoints.isEmpty()) {
                    Checkpoint result = checkpoint();
                    checkpoints.forEach(p -> p.checkpoint().complete(result));
                } else {
                    maybeCheckpointByTime();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.done().completeExceptionally(e));
                checkpoints.forEach(p -> p.checkpoint().completeExceptionally(e));
                return;
            } catch (RuntimeException e) {
                log.error("Audit batch of {} appends failed; their requests are refused", batch.size(), e);
                batch.forEach(p -> p.done().completeExceptionally(e));
                checkpoints.forEach(p -> p.checkpoint().completeExceptionally(e));
            } finally {
                writingSince = 0;
            }
        }
    }

    /** Takes what is queued, up to a batch of {@value #MAX_BATCH} records; checkpoint requests go aside. */
    private void drain(Pending next, List<Pending> batch, List<Pending> checkpoints) {
        int size = 0;
        while (next != null) {
            if (next.done() == null) {
                checkpoints.add(next);
            } else {
                batch.add(next);
                size += next.records().size();
            }
            if (size >= MAX_BATCH) {
                break;
            }
            next = queue.poll();
        }
    }

    /**
     * Appends the batch; if the database refused its rows (a constraint, a value: nothing of the statement was committed),
     * writes each request on its own, so that only the request at fault is refused. Any other failure refuses the whole
     * batch, which may have been committed all the same (a connection lost after the commit): a second copy would put
     * its entries in the chain twice.
     */
    private boolean appendOrSplit(List<Pending> batch, AuditChain.Canonical chain) {
        try {
            return append(batch, chain);
        } catch (RuntimeException e) {
            if (batch.size() == 1 || !refusedData(e)) {
                throw e;
            }
        }
        boolean due = false;
        for (Pending request : batch) {
            try {
                due |= append(List.of(request), chain);
            } catch (RuntimeException e) {
                log.error("An audit append failed; its request is refused", e);
                request.done().completeExceptionally(e);
            }
        }
        return due;
    }

    private static boolean refusedData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /** Writes the batch, releases its requests and forwards the entries; true when a checkpoint is due by count. */
    private boolean append(List<Pending> batch, AuditChain.Canonical chain) {
        List<AuditEntry> written = new ArrayList<>();
        long before = headSeq;
        long[] lastSeqs = write(batch, chain, written);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(lastSeqs[i]);
        }
        forwarder.forward(written);
        return headSeq / checkpointEvery > Math.max(before, 0) / checkpointEvery;
    }

    /**
     * Writes a batch in one statement, committed on its own: the chain head moves only if it is still where this
     * node last saw it (another node may have appended meanwhile; then the head is read again and the batch
     * re-chained). One round trip and one commit per batch, whatever its size.
     */
    private long[] write(List<Pending> batch, AuditChain.Canonical chain, List<AuditEntry> written) {
        for (int attempt = 0; ; attempt++) {
            if (headSeq < 0 || attempt > 0) {
                readHead();
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
            int inserted = insert(seq, hash, columns);
            if (inserted == 0) {
                if (attempt >= 10) {
                    throw new IllegalStateException("The audit chain head keeps moving; giving up after " + attempt + " attempts");
                }
                continue;
            }
            headSeq = seq;
            headHash = hash;
            headRecordedSeq = seq;
            headRecordedAt = written.get(written.size() - 1).record().recordedAt();
            if (tainted == null && (highWater == null || seq > highWater.seq())) {
                highWater = new AuditWitness.Signed(seq, hash, null, null);
            }
            return lastSeqs;
        }
    }

    /** Where the chain's head is in the database now; a head behind what this server wrote raises the alarm. */
    private void readHead() {
        var head = jdbc.sql("select last_seq, last_hash from audit_head where id = 1")
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).single();
        headSeq = (long) head[0];
        headHash = (String) head[1];
        if (highWater != null && (headSeq < highWater.seq() || headSeq == highWater.seq() && !headHash.equals(highWater.hash()))) {
            // A head only moves forward: one behind what this server wrote was reset by hand. The batch is still
            // written (the hospital keeps working, every access recorded), but nothing is signed until it is resolved.
            alarm("the chain head went back to entry " + headSeq + " after this server had written up to entry "
                    + highWater.seq() + ": entries were removed or rewritten in the database");
        }
    }

    /** Inserts the rows and moves the head to (seq, hash) in one statement, if the head is still where it was read. */
    private int insert(long seq, String hash, String[][] columns) {
        Object[] params = new Object[25];
        params[0] = seq;
        params[1] = hash;
        params[2] = headSeq;
        params[3] = headHash;
        System.arraycopy(columns, 0, params, 4, 21);
        return jdbc.sql("""
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
    }

    private void maybeCheckpointByTime() {
        if (Duration.between(lastCheckpointAt, wall.instant()).compareTo(checkpointInterval) < 0) {
            return;
        }
        try {
            checkpoint();
        } catch (RuntimeException e) {
            // The database is unreachable: the server is alive all the same, and says so with its last checkpoint, so that
            // an outage does not read as a gap in the witness.
            log.warn("Periodic audit checkpoint failed: {}", e.getMessage());
            witness.checkpoint(anchor);
        }
    }

    /**
     * Checks the chain from the last signed checkpoint up to the database's head, then signs that head, stores the
     * checkpoint and appends it to the witnesses. The head is not taken on trust: it must chain from the last checkpoint
     * this server signed, and include, unchanged, the last entry this server wrote. If it does not, nothing is signed
     * and a critical alarm is raised. With no new entry, the last checkpoint is witnessed again: the witness then shows
     * the server alive every minute, so verification can treat a silence as a gap.
     */
    private Checkpoint checkpoint() {
        lastCheckpointAt = wall.instant();
        var head = jdbc.sql("select last_seq, last_hash from audit_head where id = 1")
                .query((rs, n) -> new AuditWitness.Signed(rs.getLong(1), rs.getString(2), null, null)).single();
        if (head.seq() != headRecordedSeq && head.seq() > 0) {
            // Another node wrote since (or this server just started): the head's time, for the metrics; one lookup by key.
            headRecordedSeq = head.seq();
            headRecordedAt = jdbc.sql("select recorded_at from audit_entry where seq = ?").param(head.seq())
                    .query(Timestamp.class).optional().map(Timestamp::toInstant).orElse(null);
        }
        String problem = tainted != null ? tainted : segmentProblem(head);
        if (problem != null) {
            alarm(problem);
            return new Checkpoint(false, head.seq(), problem);
        }
        if (head.seq() != anchor.seq()) {
            String at = clock.instant().truncatedTo(ChronoUnit.MICROS).toString();
            AuditWitness.Signed signed = new AuditWitness.Signed(head.seq(), head.hash(), at, signer.sign(head.seq(), head.hash(), at));
            if (head.seq() > 0) {
                jdbc.sql("insert into audit_checkpoint (seq, head_hash, signed_at, key_id, signature) values (?, ?, ?, ?, ?) on conflict do nothing")
                        .param(head.seq()).param(head.hash()).param(Timestamp.from(Instant.parse(at))).param(signer.keyId())
                        .param(signed.signature()).update();
                // Another node may have signed this head first: the witness records the checkpoint the database holds.
                signed = jdbc.sql("select seq, head_hash, signed_at, signature from audit_checkpoint where seq = ?").param(head.seq())
                        .query((rs, n) -> new AuditWitness.Signed(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(),
                                rs.getString(4))).single();
                if (!signed.hash().equals(head.hash())
                        || !AuditSigner.verify(signer.publicKeyBase64(), signed.seq(), signed.hash(), signed.signedAt(), signed.signature())) {
                    problem = "the database already holds a checkpoint of entry " + head.seq() + " that does not match the chain or does not verify";
                    alarm(problem);
                    return new Checkpoint(false, head.seq(), problem);
                }
            }
            anchor = signed;
        }
        witness.checkpoint(anchor);
        lastGoodCheckpointAt = wall.instant();
        return new Checkpoint(true, anchor.seq(), null);
    }

    /** Why the database's chain from the last signed checkpoint up to {@code head} cannot be signed, or null when it can. */
    private String segmentProblem(AuditWitness.Signed head) {
        if (highWater != null && head.seq() < highWater.seq()) {
            return "the chain head is at entry " + head.seq() + " but this server wrote up to entry " + highWater.seq()
                    + ": entries were removed";
        }
        if (head.seq() < anchor.seq()) {
            return "the chain head is at entry " + head.seq() + " but entry " + anchor.seq() + " was signed and witnessed"
                    + (anchor.signedAt() == null ? "" : " at " + anchor.signedAt()) + ": the trail was truncated";
        }
        if (head.seq() == anchor.seq() && !head.hash().equals(anchor.hash())) {
            return "the chain head at entry " + head.seq() + " differs from its signed checkpoint";
        }
        if (anchor.seq() > 0) {
            List<String> at = jdbc.sql("select hash from audit_entry where seq = ?").param(anchor.seq()).query(String.class).list();
            if (at.isEmpty() || !at.get(0).equals(anchor.hash())) {
                return "entry " + anchor.seq() + " " + (at.isEmpty() ? "is missing" : "differs from its signed checkpoint");
            }
        }
        ChainScan scan = side.autocommit("audit chain check", connection ->
                new ChainScan(anchor.seq() + 1, anchor.hash(), List.of()).read(connection, head.seq()));
        if (scan.problem() != null) {
            return scan.problem() + " (since the last signed checkpoint, entry " + anchor.seq() + ")";
        }
        if (scan.expectedSeq() <= head.seq()) {
            return "entries " + scan.expectedSeq() + " to " + head.seq() + " are missing";
        }
        if (!scan.previousHash().equals(head.hash())) {
            return "the chain head's hash does not match entry " + head.seq();
        }
        if (highWater != null && highWater.seq() > anchor.seq()) {
            List<String> mine = jdbc.sql("select hash from audit_entry where seq = ?").param(highWater.seq()).query(String.class).list();
            if (mine.isEmpty() || !mine.get(0).equals(highWater.hash())) {
                return "entry " + highWater.seq() + " is not the entry this server wrote: the entries after the last checkpoint were rewritten";
            }
        }
        return null;
    }

    /** Logged every time; alerted once, at the first sign (the minute checkpoint would repeat it until a restart). */
    private void alarm(String problem) {
        log.error("AUDIT CHAIN BROKEN: {}. No checkpoint is signed until this is resolved and the server restarted.", problem);
        if (tainted != null) {
            return;
        }
        tainted = problem;
        try {
            events.publishEvent(new AuditAlarm(AuditAlarm.Kind.CHAIN_BROKEN, wall.instant(), problem));
        } catch (RuntimeException e) {
            log.error("The audit alarm could not be raised: {}", e.toString());
        }
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
        return r.withRecordedAt(at);
    }
}
