package org.dossier.audit;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recomputes the whole chain from the first entry and checks every signed checkpoint, then compares the database with
 * the witness file kept outside it ({@link WitnessCheck}), and reports the first thing that does not match: rewritten,
 * deleted, inserted or reordered entries, and checkpoints missing, re-signed or beyond the head, all break it.
 */
@Service
public class AuditVerifier {

    private final JdbcTemplate jdbc;
    private final AuditSigner signer;
    private final AuditTrail trail;
    private final AuditWitness witness;
    private final Duration gapTolerance;

    AuditVerifier(JdbcTemplate jdbc, AuditSigner signer, AuditTrail trail, AuditWitness witness,
                  @Value("${dossier.audit.witness.gap-tolerance:PT60S}") Duration gapTolerance) {
        this.trail = trail;
        this.witness = witness;
        this.gapTolerance = gapTolerance;
        this.jdbc = jdbc;
        this.signer = signer;
    }

    /**
     * The outcome: how much was checked, how fast, and the first problem if any; which witness the database was compared
     * with and what it held; and what deserves a look without being a break (an unclean stop, no witness yet).
     */
    public record Report(boolean intact, long entriesChecked, long checkpointsChecked, Long firstBrokenSeq, String problem,
                         long millis, long entriesPerSecond, String publicKey, Instant verifiedAt, String witness, List<String> warnings) {
    }

    /** One signed checkpoint: the signature (the export's algorithm) is over "seq|hash|signedAt" (see {@link AuditSigner}). */
    public record Checkpoint(long seq, String hash, String signedAt, String signature) {
    }

    /** Everything a copy kept outside the database needs to check the chain later. */
    public record Checkpoints(String keyId, String publicKey, String algorithm, List<Checkpoint> checkpoints) {
    }

    public Checkpoints checkpoints() {
        List<Checkpoint> all = jdbc.query("select seq, head_hash, signed_at, signature from audit_checkpoint order by seq",
                (rs, n) -> new Checkpoint(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(), rs.getString(4)));
        return new Checkpoints(signer.keyId(), signer.publicKeyBase64(), signer.algorithm(), all);
    }

    /** The entries of a range, by seq ({@code ?}, {@code ?}), row by row: the columns {@link ChainScan} streams. */
    static final String ENTRIES = "select " + ChainScan.COLUMNS + " from audit_entry where seq between ? and ? order by seq";

    /**
     * Verifies in parallel ranges, each streamed by {@link ChainScan}: each range starts from the stored hash of the entry
     * before it, and checks that every entry links to the one before (its stored previous hash) and that its content gives
     * its stored hash. The range before checks that stored hash as its last entry's, so the seams join: together the ranges
     * check exactly what one pass from the first entry would, on every core.
     */
    public Report verify() {
        long start = System.nanoTime();
        // The running server first checks the chain since its last checkpoint against what it wrote, and signs and
        // witnesses the head if it holds: the comparison below then covers the trail up to now.
        AuditTrail.Checkpoint live = trail.checkpointNow();
        Report chain = verifyChain(start);
        WitnessCheck.Result w = compareWithWitness(chain.entriesChecked(), trail.writing());
        String problem = chain.problem() != null ? chain.problem() : w.problem() != null ? w.problem()
                : live != null && !live.signed() ? "the running server refuses to sign the head: " + live.problem() : null;
        Long broken = chain.problem() != null ? chain.firstBrokenSeq() : w.problem() != null ? w.seq() : problem != null ? live.seq() : null;
        return new Report(problem == null, chain.entriesChecked(), chain.checkpointsChecked(), broken, problem, chain.millis(),
                chain.entriesPerSecond(), chain.publicKey(), chain.verifiedAt(), w.summary(), w.warnings());
    }

    private WitnessCheck.Result compareWithWitness(long head, boolean live) {
        List<AuditWitness.Line> lines;
        try {
            lines = witness.read();
        } catch (java.io.IOException e) {
            return new WitnessCheck.Result("the witness " + witness.describe() + " cannot be read: " + e.getMessage(), null, List.of(),
                    witness.describe());
        }
        Map<Long, Checkpoint> stored = new HashMap<>();
        jdbc.query("select seq, head_hash, signed_at, signature from audit_checkpoint",
                (rs, n) -> new Checkpoint(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(), rs.getString(4)))
                .forEach(c -> stored.put(c.seq(), c));
        return WitnessCheck.check(lines, head, stored, this::hashes, signer.publicKeyBase64(), live, Instant.now(),
                trail.checkpointInterval(), gapTolerance, witness.describe());
    }

    private Map<Long, String> hashes(Set<Long> seqs) {
        Map<Long, String> hashes = new HashMap<>();
        if (!seqs.isEmpty()) {
            jdbc.query(con -> {
                var statement = con.prepareStatement("select seq, hash from audit_entry where seq = any(?)");
                statement.setArray(1, con.createArrayOf("bigint", seqs.toArray()));
                return statement;
            }, (ResultSet rs) -> {
                hashes.put(rs.getLong(1), rs.getString(2));
            });
        }
        return hashes;
    }

    private Report verifyChain(long start) {
        List<Checkpoint> checkpoints = jdbc.query("select seq, head_hash, signed_at, signature from audit_checkpoint order by seq",
                (rs, n) -> new Checkpoint(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(), rs.getString(4)));
        long head = jdbc.queryForObject("select last_seq from audit_head where id = 1", Long.class);
        long workers = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), head / 200_000));
        long size = Math.max(1, (head + workers - 1) / workers);
        List<java.util.concurrent.Future<ChainScan>> ranges = new ArrayList<>();
        // The checkpoints' signatures (a thousand on ten million entries, each a slow Ed25519 verification) are checked
        // beside the ranges rather than before them; a bad one is still the problem reported first.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool((int) workers + 1);
        try {
            var badSignature = pool.submit(() -> firstBadSignature(checkpoints));
            for (long a = 1; a <= head; a += size) {
                long from = a;
                long to = Math.min(head, a + size - 1);
                ranges.add(pool.submit(() -> verifyRange(from, to, checkpoints)));
            }
            Checkpoint bad = badSignature.get();
            if (bad != null) {
                return report(false, 0, checkpoints.size(), bad.seq(), "checkpoint " + bad.seq() + " has a signature that does not verify", start);
            }
            for (var range : ranges) {
                ChainScan scan = range.get();
                if (scan.problem() != null) {
                    return report(false, scan.expectedSeq() - 1, checkpoints.size(), scan.brokenSeq(), scan.problem(), start);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("verification interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("verification failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Long last = jdbc.queryForObject("select max(seq) from audit_entry", Long.class);
        if (last != null && last > head) {
            return report(false, head, checkpoints.size(), head + 1, "the chain head says " + head + " entries, the table holds entries up to "
                    + last, start);
        }
        for (Checkpoint c : checkpoints) {
            if (c.seq() > head) {
                return report(false, head, checkpoints.size(), c.seq(), "checkpoint " + c.seq() + " signs an entry that is no longer in the trail",
                        start);
            }
        }
        return report(true, head, checkpoints.size(), null, null, start);
    }

    private Checkpoint firstBadSignature(List<Checkpoint> checkpoints) {
        String publicKey = signer.publicKeyBase64();
        return checkpoints.stream().filter(c -> !AuditSigner.verify(publicKey, c.seq(), c.hash(), c.signedAt(), c.signature()))
                .findFirst().orElse(null);
    }

    /** One range, streamed on a connection of its own, starting from the stored hash of the entry before it. */
    private ChainScan verifyRange(long from, long to, List<Checkpoint> checkpoints) {
        List<Checkpoint> within = checkpoints.stream().filter(c -> c.seq() >= from && c.seq() <= to).toList();
        List<String> before = from == 1 ? List.of(AuditChain.GENESIS)
                : jdbc.queryForList("select hash from audit_entry where seq = ?", String.class, from - 1);
        if (before.isEmpty()) {
            ChainScan missing = new ChainScan(from, AuditChain.GENESIS, within);
            missing.fail(from - 1, "entry " + (from - 1) + " is missing");
            return missing;
        }
        return jdbc.execute((ConnectionCallback<ChainScan>) connection ->
                new ChainScan(from, before.get(0), within).read(connection, to).requireThrough(to));
    }

    private Report report(boolean intact, long entries, long checkpoints, Long broken, String problem, long start) {
        long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        return new Report(intact, entries, checkpoints, broken, problem, millis, entries * 1000 / millis, signer.publicKeyBase64(), Instant.now(),
                null, List.of());
    }
}
