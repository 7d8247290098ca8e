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
import java.util.concurrent.Future;
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
    /** Batches written at once: one commits while the next is inserted (see {@link #send}). */
    private static final int PIPELINE = 2;
    /** Queued by a sender when its batch is settled, to wake the writer. */
    private static final Pending WAKE = new Pending(List.of(), null, null);
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
    /** The batches sent and not yet settled, oldest first, and the end of the last one sent. Only the writer thread touches them. */
    private final java.util.Deque<InFlight> inFlight = new java.util.ArrayDeque<>();
    private long tailSeq;
    private String tailHash;
    private boolean checkpointDue;
    /** The threads that write the batches in flight, one each. */
    private java.util.concurrent.ExecutorService senders;
    /**
     * Set at the first sign of tampering, until a restart: nothing is signed, and the entries written since (chained on the
     * database's head, so that the hospital keeps working and every access is still recorded) do not move the high-water
     * mark, so that the stop line still names the last entry written before the chain was touched.
     */
    private String tainted;

    AuditTrail(org.dossier.platform.SideConnections side, AuditSigner signer, SyslogForwarder forwarder, AuditWitness witness,
               org.springframework.context.ApplicationEventPublisher events, Clock clock,
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
    }

    /** Records to append, or (with no records) a request for a checkpoint now, answered by {@code checkpoint}. */
    private record Pending(List<AuditRecord> records, CompletableFuture<Long> done, CompletableFuture<Checkpoint> checkpoint) {
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
        queue.add(new Pending(List.copyOf(records), done, null));
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
        inFlight.clear();
        checkpointDue = false;
        senders = java.util.concurrent.Executors.newFixedThreadPool(PIPELINE, task -> {
            Thread t = new Thread(task, "audit-sender");
            t.setDaemon(true);
            return t;
        });
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

    @Override
    public void stop() {
        running = false;
        if (writer == null) {
            return;
        }
        writer.interrupt();
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> {
            if (p.done() != null) {
                p.done().completeExceptionally(new IllegalStateException("server stopping"));
            } else if (p.checkpoint() != null) {
                p.checkpoint().completeExceptionally(new IllegalStateException("server stopping"));
            }
        });
        if (!writer.isAlive()) {
            settleAtStop();
        }
        senders.shutdown();
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
        queue.add(new Pending(List.of(), null, done));
        try {
            return done.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("Interrupted while signing a checkpoint", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AuditUnavailableException("The checkpoint could not be made", e);
        }
    }

    /** The writer is gone: the batches it left in flight are settled here, those that fail are refused (not written again). */
    private void settleAtStop() {
        try {
            while (!inFlight.isEmpty()) {
                settleOldest(null, false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when this process runs the writer (the server), false in {@code bin/audit-verify}. */
    boolean writing() {
        return running && writer != null;
    }

    Duration checkpointInterval() {
        return checkpointInterval;
    }

    private void writeLoop() {
        AuditChain.Canonical chain = new AuditChain.Canonical();
        boolean first = true;
        while (running) {
            List<Pending> batch = new ArrayList<>();
            List<Pending> checkpoints = new ArrayList<>();
            try {
                if (first) {
                    // Before anything is appended: does the database still hold what was last witnessed?
                    first = false;
                    checkpoint();
                }
                Pending next = queue.poll(1, TimeUnit.SECONDS);
                settle(false, chain);
                if (next != null) {
                    drain(next, batch, checkpoints);
                }
                if (!batch.isEmpty()) {
                    send(batch, chain);
                    batch = List.of(); // in flight: settled by its outcome, whatever happens here now
                }
                // After the requests are released: they never wait for a checkpoint's verification.
                if (checkpointDue || !checkpoints.isEmpty()) {
                    settle(true, chain);
                    checkpointDue = false;
                    Checkpoint result = checkpoint();
                    checkpoints.forEach(p -> p.checkpoint().complete(result));
                } else if (inFlight.isEmpty()) {
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
            }
        }
    }

    /** Takes what is queued, up to a batch of {@value #MAX_BATCH} records; checkpoint requests go aside, wake-ups are dropped. */
    private void drain(Pending next, List<Pending> batch, List<Pending> checkpoints) {
        int size = 0;
        while (next != null) {
            if (next == WAKE) {
                // nothing to write: a sender's signal that a batch is settled
            } else if (next.done() == null) {
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

    /** A batch chained and ready to write: its columns, its entries, and the last sequence number of each request. */
    private record Chained(long fromSeq, String fromHash, long seq, String hash, String[][] columns, List<AuditEntry> entries,
                           long[] lastSeqs) {
    }

    /** A batch sent to the database and not yet settled by the writer. */
    private record InFlight(List<Pending> requests, Chained chained, Future<?> outcome) {
    }

    /**
     * Chains the batch after the last one sent and hands it to a sender, which writes it and, once it is committed,
     * answers its requests; at most {@value #PIPELINE} batches are in flight. The next batch is written while the one
     * before still commits: {@code audit_append} inserts first and waits for that one only at the chain head, and fails
     * (undone) unless the head is exactly where the batch was chained, so the chain holds each entry once, in order.
     */
    private void send(List<Pending> batch, AuditChain.Canonical chain) throws InterruptedException {
        while (inFlight.size() >= PIPELINE) {
            settleOldest(chain, true);
        }
        if (inFlight.isEmpty()) {
            if (headSeq < 0) {
                readHead();
            }
            tailSeq = headSeq;
            tailHash = headHash;
        }
        Chained chained = chain(batch, chain, tailSeq, tailHash);
        tailSeq = chained.seq();
        tailHash = chained.hash();
        Future<?> outcome = senders.submit(() -> {
            try {
                insert(chained);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(chained.lastSeqs()[i]);
                }
            } finally {
                queue.add(WAKE);
            }
            return null;
        });
        inFlight.addLast(new InFlight(batch, chained, outcome));
    }

    /** Settles the batches in flight in order: those done (all of them, waiting, with {@code all}). */
    private void settle(boolean all, AuditChain.Canonical chain) throws InterruptedException {
        while (!inFlight.isEmpty() && (all || inFlight.peekFirst().outcome().isDone())) {
            settleOldest(chain, true);
        }
    }

    /**
     * Waits for the oldest batch in flight. Committed: the head moves, the entries are forwarded. Failed: every batch
     * after it was chained on it and fails too. A batch undone because the head was not where it was chained (another
     * node appended, or the batch before failed) is written again, in order, on the head read anew ({@link #append}); one
     * whose rows the database refused is written again request by request, so that only the request at fault is refused;
     * one that failed otherwise is refused, as it may have been committed all the same (a connection lost after the
     * commit), and a second copy would put its entries in the chain twice. With {@code retry} false (at a stop) none is
     * written again.
     */
    private void settleOldest(AuditChain.Canonical chain, boolean retry) throws InterruptedException {
        InFlight oldest = inFlight.peekFirst();
        try {
            oldest.outcome().get();
            inFlight.removeFirst();
            committed(oldest.chained());
        } catch (ExecutionException failed) {
            List<InFlight> all = new ArrayList<>(inFlight);
            inFlight.clear();
            headSeq = -1;
            for (InFlight f : all) {
                Throwable why = f == oldest ? failed.getCause() : failure(f.outcome());
                if (why == null) {
                    committed(f.chained());
                } else if (retry && headMoved(why)) {
                    rewrite(f.requests(), chain);
                } else if (retry && refusedData(why)) {
                    // One request's entry cannot be stored: the others of its batch are written without it.
                    f.requests().forEach(p -> rewrite(List.of(p), chain));
                } else {
                    refuse(f.requests(), why);
                }
            }
        }
    }

    private void rewrite(List<Pending> requests, AuditChain.Canonical chain) {
        try {
            headSeq = -1;
            append(requests, chain);
        } catch (RuntimeException e) {
            refuse(requests, e);
        }
    }

    private static void refuse(List<Pending> requests, Throwable why) {
        log.error("Audit batch of {} appends failed; their requests are refused", requests.size(), why);
        requests.forEach(p -> p.done().completeExceptionally(why));
    }

    /** Why the batch failed, or null when it was committed. */
    private static Throwable failure(Future<?> outcome) throws InterruptedException {
        try {
            outcome.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** A batch is committed: the head this server knows moves to its end, and its entries are forwarded. */
    private void committed(Chained chained) {
        long before = headSeq;
        headSeq = chained.seq();
        headHash = chained.hash();
        if (tainted == null && (highWater == null || headSeq > highWater.seq())) {
            highWater = new AuditWitness.Signed(headSeq, headHash, null, null);
        }
        forwarder.forward(chained.entries());
        checkpointDue |= headSeq / checkpointEvery > Math.max(before, 0) / checkpointEvery;
    }

    /** Writes the batch on the head as it is now, waits for it, and releases its requests. */
    private void append(List<Pending> batch, AuditChain.Canonical chain) {
        Chained chained = write(batch, chain);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(chained.lastSeqs()[i]);
        }
    }

    /**
     * Writes a batch in one statement, committed on its own, on the head as this node last saw it: if another node
     * appended meanwhile, the head is read again and the batch re-chained.
     */
    private Chained write(List<Pending> batch, AuditChain.Canonical chain) {
        for (int attempt = 0; ; attempt++) {
            if (headSeq < 0 || attempt > 0) {
                readHead();
            }
            Chained chained = chain(batch, chain, headSeq, headHash);
            try {
                insert(chained);
            } catch (RuntimeException e) {
                if (!headMoved(e)) {
                    throw e;
                }
                if (attempt >= 10) {
                    throw new IllegalStateException("The audit chain head keeps moving; giving up after " + attempt + " attempts", e);
                }
                continue;
            }
            committed(chained);
            return chained;
        }
    }

    /** Stamps and chains the batch's records after (seq, hash), into the columns of its insert. */
    private Chained chain(List<Pending> batch, AuditChain.Canonical chain, long fromSeq, String fromHash) {
        long seq = fromSeq;
        String hash = fromHash;
        int total = batch.stream().mapToInt(p -> p.records().size()).sum();
        String[][] columns = new String[21][total];
        long[] lastSeqs = new long[batch.size()];
        List<AuditEntry> entries = new ArrayList<>(total);
        int row = 0;
        for (int b = 0; b < batch.size(); b++) {
            for (AuditRecord r : batch.get(b).records()) {
                AuditRecord stamped = r.recordedAt() == null ? withTime(r, clock.instant()) : r;
                stamped = withTime(stamped, stamped.recordedAt().truncatedTo(ChronoUnit.MICROS));
                seq++;
                String previous = hash;
                hash = chain.next(previous, seq, stamped);
                fill(columns, row++, seq, stamped, previous, hash);
                entries.add(new AuditEntry(seq, stamped, previous, hash));
            }
            lastSeqs[b] = seq;
        }
        return new Chained(fromSeq, fromHash, seq, hash, columns, entries, lastSeqs);
    }

    /** The head moved under the batch (another node, or a batch before it that failed): the batch was undone, and may be re-chained. */
    private static boolean headMoved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && ("40001".equals(s.getSQLState()) || "23505".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** The database refused the rows themselves (a constraint, a value): nothing of the statement was committed. */
    private static boolean refusedData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
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

    /** Inserts the rows and moves the head to their end, in one statement committed on its own (see V39__audit_append.sql). */
    private void insert(Chained c) {
        Object[] params = new Object[25];
        params[0] = c.fromSeq();
        params[1] = c.fromHash();
        params[2] = c.seq();
        params[3] = c.hash();
        System.arraycopy(c.columns(), 0, params, 4, 21);
        jdbc.sql("""
                        select 1 from audit_append(?, ?, ?, ?, cast(? as bigint[]), cast(? as timestamptz[]), cast(? as bigint[]),
                            cast(? as text[]), cast(? as text[]), cast(? as int[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                            cast(? as text[]), cast(? as bigint[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
                            cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]))""")
                .params(params)
                .query(Integer.class).single();
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
