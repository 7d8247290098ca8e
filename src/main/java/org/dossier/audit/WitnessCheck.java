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
        AuditWitness.Line previous = null;
        long maxSeq = -1;
        Duration interval = defaultInterval;
        Set<Long> witnessed = new TreeSet<>();
        int checkpoints = 0;
        for (AuditWitness.Line l : lines) {
            String where = "witness line " + l.number();
            if (l.at() == null) {
                return fail(where + " is unreadable", null, warnings, witness);
            }
            if (!l.linked()) {
                return fail(where + " does not follow the line before it: witness lines were removed, inserted or edited", l.seq(), warnings, witness);
            }
            if (!l.signed()) {
                return fail(where + " is not signed by the audit key: it was forged or edited", l.seq(), warnings, witness);
            }
            if (!AuditSigner.verify(publicKey, l.seq(), l.hash(), l.signedAt(), l.signature())) {
                return fail(where + ": the signature of its checkpoint of entry " + l.seq() + " does not verify", l.seq(), warnings, witness);
            }
            // A start line re-states the last checkpoint, which may be behind the stop line's last entry written: not an order.
            boolean start = AuditWitness.START.equals(l.type());
            if (!start && l.seq() < maxSeq) {
                return fail(where + " witnesses entry " + l.seq() + " after entry " + maxSeq + " was witnessed: checkpoints out of order",
                        l.seq(), warnings, witness);
            }
            if (start && previous != null && l.seq() > maxSeq) {
                return fail(where + " starts from entry " + l.seq() + ", beyond anything witnessed before it", l.seq(), warnings, witness);
            }
            maxSeq = Math.max(maxSeq, l.seq());
            if (AuditWitness.START.equals(l.type())) {
                interval = l.interval() == null ? defaultInterval : l.interval();
            } else if (previous != null && !AuditWitness.STOP.equals(previous.type())
                       && Duration.between(previous.at(), l.at()).compareTo(interval.plus(tolerance)) > 0) {
                return fail("no checkpoint was witnessed between " + previous.at() + " and " + l.at() + " (witness lines " + previous.number()
                        + " and " + l.number() + ") although the server was running and checkpoints every " + interval, l.seq(), warnings, witness);
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
        }
        AuditWitness.Line last = previous;
        if (!AuditWitness.STOP.equals(last.type())) {
            if (live && Duration.between(last.at(), now).compareTo(interval.plus(tolerance)) > 0) {
                return fail("no checkpoint has been witnessed since " + last.at() + " (witness line " + last.number()
                        + ") although the server is running and checkpoints every " + interval, last.seq(), warnings, witness);
            }
            if (!live) {
                warnings.add("the witness ends without a stop line after " + last.at() + " (line " + last.number()
                        + "): the server is running, crashed, or lines were removed from the witness; entries after entry "
                        + last.seq() + " are checked against the database only");
            }
        }
        Map<Long, String> hashes = entryHashes.apply(witnessed);
        for (AuditWitness.Line l : lines) {
            if (l.seq() <= 0) {
                continue;
            }
            String where = "witness line " + l.number() + " (" + l.type() + " signed " + l.signedAt() + ")";
            if (l.seq() > dbHead) {
                return fail(dbHead == 0
                        ? "the audit trail is empty, but " + where + " saw " + l.seq() + " entries: the trail was emptied"
                        : "the trail ends at entry " + dbHead + ", but " + where + " saw entry " + l.seq() + ": entries were removed",
                        dbHead + 1, warnings, witness);
            }
            String hash = hashes.get(l.seq());
            if (hash == null) {
                return fail("entry " + l.seq() + ", seen by " + where + ", is missing", l.seq(), warnings, witness);
            }
            if (!hash.equals(l.hash())) {
                return fail("entry " + l.seq() + " differs from " + where + ": the chain was rewritten", l.seq(), warnings, witness);
            }
            if (AuditWitness.CHECKPOINT.equals(l.type())) {
                AuditVerifier.Checkpoint c = dbCheckpoints.get(l.seq());
                if (c == null) {
                    return fail("checkpoint " + l.seq() + " is missing from the database, but " + where + " saw it", l.seq(), warnings, witness);
                }
                if (!c.hash().equals(l.hash()) || !c.signature().equals(l.signature()) || !c.signedAt().equals(l.signedAt())) {
                    return fail("checkpoint " + l.seq() + " in the database is not the one of " + where + ": it was re-signed or replaced",
                            l.seq(), warnings, witness);
                }
            }
        }
        return new Result(null, null, warnings, witness + ": " + lines.size() + " lines, " + checkpoints + " checkpoints up to entry "
                + maxSeq + ", last at " + last.at());
    }

    private static Result fail(String problem, Long seq, List<String> warnings, String witness) {
        return new Result(problem, seq, warnings, witness);
    }
}
