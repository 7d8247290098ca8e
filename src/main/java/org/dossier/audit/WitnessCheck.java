package org.dossier.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compares the database with the witness file: every checkpoint the witness saw must still be in the database, with the
 * same hash and signature, over entries that still hash to it; the witness itself must be unbroken (each line chained to
 * the one before and signed), in order, and without a silence longer than the checkpoint cadence while the server ran
 * (a stop line and the next start line explain downtime). The first failure is reported, with the witness line that proves it.
 */
final class WitnessCheck {

    record Result(String problem, Long seq, List<String> warnings, String summary) {
    }

    private WitnessCheck() {
    }

    /**
     * @param dbHead        the database's chain head (its number of entries)
     * @param dbCheckpoints the database's checkpoints by sequence number
     * @param entryHashes   the stored hash of each of these entries, absent when the entry is not there
     * @param live          whether this process is the running server (then the witness must be fresh now)
     */
    static Result check(List<AuditWitness.Line> lines, long dbHead, Map<Long, AuditVerifier.Checkpoint> dbCheckpoints,
                        Function<Set<Long>, Map<Long, String>> entryHashes, String publicKey, boolean live, Instant now,
                        Duration defaultInterval, Duration tolerance, String witness) {
        List<String> warnings = new ArrayList<>();
        if (lines.isEmpty()) {
            if (dbHead > 0) {
                warnings.add("the witness (" + witness + ") holds no checkpoint: the database was checked against itself only");
            }
            return new Result(null, null, warnings, witness + ": empty");
        }
        Walk walk = new Walk(defaultInterval, tolerance, publicKey, warnings);
        for (AuditWitness.Line l : lines) {
            Failure f = walk.step(l);
            if (f != null) {
                return fail(f.problem(), f.seq(), warnings, witness);
            }
        }
        Failure f = walk.end(live, now);
        if (f == null) {
            f = againstDatabase(lines, dbHead, dbCheckpoints, entryHashes.apply(walk.witnessed));
        }
        if (f != null) {
            return fail(f.problem(), f.seq(), warnings, witness);
        }
        return new Result(null, null, warnings, witness + ": " + lines.size() + " lines, " + walk.checkpoints + " checkpoints up to entry "
                + walk.maxSeq + ", last at " + walk.previous.at());
    }

    private record Failure(String problem, Long seq) {
    }

    /** The witness read line by line: each line chained, signed, in order, and none after a silence the cadence forbids. */
    private static final class Walk {
        private final Duration tolerance;
        private final String publicKey;
        private final List<String> warnings;
        private final Set<Long> witnessed = new TreeSet<>();
        private Duration interval;
        private AuditWitness.Line previous;
        private long maxSeq = -1;
        private int checkpoints;

        Walk(Duration defaultInterval, Duration tolerance, String publicKey, List<String> warnings) {
            this.interval = defaultInterval;
            this.tolerance = tolerance;
            this.publicKey = publicKey;
            this.warnings = warnings;
        }

        Failure step(AuditWitness.Line l) {
            Failure f = unsound(l);
            if (f == null) {
                f = outOfOrder(l);
            }
            if (f != null) {
                return f;
            }
            maxSeq = Math.max(maxSeq, l.seq());
            if (AuditWitness.START.equals(l.type())) {
                interval = l.interval() == null ? interval : l.interval();
            } else if (previous != null && !AuditWitness.STOP.equals(previous.type())
                       && Duration.between(previous.at(), l.at()).compareTo(interval.plus(tolerance)) > 0) {
                return new Failure("no checkpoint was witnessed between " + previous.at() + " and " + l.at() + " (witness lines " + previous.number()
                        + " and " + l.number() + ") although the server was running and checkpoints every " + interval, l.seq());
            }
            if (AuditWitness.START.equals(l.type()) && previous != null && !AuditWitness.STOP.equals(previous.type())) {
                warnings.add("the server did not stop cleanly after " + previous.at() + " (witness line " + previous.number()
                        + "): a crash, or lines removed from the witness");
            }
            if (l.seq() > 0) {
                witnessed.add(l.seq());
            }
            if (AuditWitness.CHECKPOINT.equals(l.type())) {
                checkpoints++;
            }
            previous = l;
            return null;
        }

        private Failure unsound(AuditWitness.Line l) {
            String where = "witness line " + l.number();
            if (l.at() == null) {
                return new Failure(where + " is unreadable", null);
            }
            if (!l.linked()) {
                return new Failure(where + " does not follow the line before it: witness lines were removed, inserted or edited", l.seq());
            }
            if (!l.signed()) {
                return new Failure(where + " is not signed by the audit key: it was forged or edited", l.seq());
            }
            if (!AuditSigner.verify(publicKey, l.seq(), l.hash(), l.signedAt(), l.signature())) {
                return new Failure(where + ": the signature of its checkpoint of entry " + l.seq() + " does not verify", l.seq());
            }
            return null;
        }

        private Failure outOfOrder(AuditWitness.Line l) {
            String where = "witness line " + l.number();
            // A start line re-states the last checkpoint, which may be behind the stop line's last entry written: not an order.
            boolean start = AuditWitness.START.equals(l.type());
            if (!start && l.seq() < maxSeq) {
                return new Failure(where + " witnesses entry " + l.seq() + " after entry " + maxSeq + " was witnessed: checkpoints out of order",
                        l.seq());
            }
            if (start && previous != null && l.seq() > maxSeq) {
                return new Failure(where + " starts from entry " + l.seq() + ", beyond anything witnessed before it", l.seq());
            }
            return null;
        }

        /** After the last line: a running server's witness must be fresh; a stopped one's must end with its stop line. */
        Failure end(boolean live, Instant now) {
            AuditWitness.Line last = previous;
            if (AuditWitness.STOP.equals(last.type())) {
                return null;
            }
            if (live && Duration.between(last.at(), now).compareTo(interval.plus(tolerance)) > 0) {
                return new Failure("no checkpoint has been witnessed since " + last.at() + " (witness line " + last.number()
                        + ") although the server is running and checkpoints every " + interval, last.seq());
            }
            if (!live) {
                warnings.add("the witness ends without a stop line after " + last.at() + " (line " + last.number()
                        + "): the server is running, crashed, or lines were removed from the witness; entries after entry "
                        + last.seq() + " are checked against the database only");
            }
            return null;
        }
    }

    /** Every entry and checkpoint the witness saw is still in the database, unchanged. */
    private static Failure againstDatabase(List<AuditWitness.Line> lines, long dbHead, Map<Long, AuditVerifier.Checkpoint> dbCheckpoints,
                                           Map<Long, String> hashes) {
        for (AuditWitness.Line l : lines) {
            if (l.seq() <= 0) {
                continue;
            }
            String where = "witness line " + l.number() + " (" + l.type() + " signed " + l.signedAt() + ")";
            if (l.seq() > dbHead) {
                return new Failure(dbHead == 0
                        ? "the audit trail is empty, but " + where + " saw " + l.seq() + " entries: the trail was emptied"
                        : "the trail ends at entry " + dbHead + ", but " + where + " saw entry " + l.seq() + ": entries were removed",
                        dbHead + 1);
            }
            String hash = hashes.get(l.seq());
            if (hash == null) {
                return new Failure("entry " + l.seq() + ", seen by " + where + ", is missing", l.seq());
            }
            if (!hash.equals(l.hash())) {
                return new Failure("entry " + l.seq() + " differs from " + where + ": the chain was rewritten", l.seq());
            }
            Failure f = checkpointProblem(l, where, dbCheckpoints.get(l.seq()));
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static Failure checkpointProblem(AuditWitness.Line l, String where, AuditVerifier.Checkpoint c) {
        if (!AuditWitness.CHECKPOINT.equals(l.type())) {
            return null;
        }
        if (c == null) {
            return new Failure("checkpoint " + l.seq() + " is missing from the database, but " + where + " saw it", l.seq());
        }
        if (!c.hash().equals(l.hash()) || !c.signature().equals(l.signature()) || !c.signedAt().equals(l.signedAt())) {
            return new Failure("checkpoint " + l.seq() + " in the database is not the one of " + where + ": it was re-signed or replaced",
                    l.seq());
        }
        return null;
    }

    private static Result fail(String problem, Long seq, List<String> warnings, String witness) {
        return new Result(problem, seq, warnings, witness);
    }
}
