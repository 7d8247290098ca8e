package org.dossier.audit;

import org.dossier.audit.bulk.AuditHistoryLoader;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditTrailTest extends IntegrationTest {

    @Autowired
    AuditTrail trail;

    @Autowired
    AuditVerifier verifier;

    @Autowired
    AuditHistoryLoader history;

    @Autowired
    org.dossier.identity.CredentialService credentials;

    private static AuditRecord read(long actor, long patient) {
        return AuditRecord.unstamped().account(actor, "user" + actor).roles("PHYSICIAN").facility(1).session("session:abc")
                .from("127.0.0.1", "test").stored("READ", "Patient", Long.toString(patient)).patient(patient)
                .stored(AuditRecord.Decision.ALLOW, "CURRENT_STAY_IN_UNIT", "TREATMENT", "IDENTITY,ALLERGIES").request("req-" + patient).build();
    }

    @Test
    void appendedEntriesAreChainedAndTheChainVerifies() {
        long last = trail.append(List.of(read(1, 10), read(1, 11), read(1, 12)));
        var rows = jdbc.sql("select seq, prev_hash, hash from audit_entry where seq between ? and ? order by seq")
                .param(last - 2).param(last).query((rs, n) -> new String[]{rs.getString(2), rs.getString(3)}).list();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1)[0]).isEqualTo(rows.get(0)[1]);
        assertThat(rows.get(2)[0]).isEqualTo(rows.get(1)[1]);
        AuditVerifier.Report report = verifier.verify();
        assertThat(report.intact()).as(String.valueOf(report.problem())).isTrue();
        assertThat(report.entriesChecked()).isGreaterThanOrEqualTo(last);
    }

    @Test
    void concurrentAppendsFormOneUnbrokenChain() throws Exception {
        long before = jdbc.sql("select last_seq from audit_head").query(Long.class).single();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Long>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                long last = 0;
                for (int i = 0; i < 50; i++) {
                    last = trail.append(List.of(read(100 + thread, i), read(100 + thread, i + 1000)));
                }
                return last;
            }));
        }
        for (Future<Long> f : done) {
            f.get();
        }
        pool.shutdown();
        long after = jdbc.sql("select last_seq from audit_head").query(Long.class).single();
        assertThat(after - before).isEqualTo(8 * 50 * 2);
        assertThat(jdbc.sql("select count(distinct seq) from audit_entry where seq > ?").param(before).query(Long.class).single()).isEqualTo(800);
        AuditVerifier.Report report = verifier.verify();
        assertThat(report.intact()).as(report.problem()).isTrue();
    }

    @Test
    void underManyCallersAndAFailingBatchEveryEntryIsInTheChainOnceAtTheSeqItsCallerWasGiven() throws Exception {
        // A request whose entry cannot be stored fails its batch: the other requests of that batch are written again
        // without it. Nothing is lost, doubled or reordered, and only the request at fault is refused.
        long before = jdbc.sql("select last_seq from audit_head").query(Long.class).single();
        int callers = 32;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<long[]>> done = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            int caller = t;
            done.add(pool.submit(() -> {
                long[] seqs = new long[each];
                for (int i = 0; i < each; i++) {
                    AuditRecord r = AuditRecord.unstamped().account(200L + caller, "caller" + caller).roles("PHYSICIAN").facility(1)
                            .session("session:many").from("127.0.0.1", "test").stored("READ", "Patient", Integer.toString(i)).patient((long) i)
                            .stored(AuditRecord.Decision.ALLOW, "CARE_TEAM", "TREAT", "IDENTITY").request("many-" + caller + "-" + i).build();
                    if (caller == 0 && i % 10 == 5) {
                        AuditRecord broken = new AuditRecord(Instant.now(), 5L, "u", "R", 1, null, null, null, null, 50L, null, null, null,
                                AuditRecord.Decision.ALLOW, null, null, "many-broken-" + i, null);
                        assertThatThrownBy(() -> trail.append(broken)).isInstanceOf(AuditUnavailableException.class);
                    }
                    seqs[i] = trail.append(r);
                }
                return seqs;
            }));
        }
        java.util.Map<Long, String> given = new java.util.HashMap<>();
        for (int t = 0; t < callers; t++) {
            long[] seqs = done.get(t).get();
            for (int i = 0; i < each; i++) {
                assertThat(i == 0 || seqs[i] > seqs[i - 1]).as("a caller's entries in the order it appended them").isTrue();
                assertThat(given.put(seqs[i], "many-" + t + "-" + i)).as("seq %d given twice", seqs[i]).isNull();
            }
        }
        pool.shutdown();
        long after = jdbc.sql("select last_seq from audit_head").query(Long.class).single();
        assertThat(after - before).isEqualTo(callers * each);
        java.util.Map<Long, String> stored = new java.util.HashMap<>();
        jdbc.sql("select seq, request_id from audit_entry where seq > ? and seq <= ?").param(before).param(after)
                .query((java.sql.ResultSet rs) -> {
                    stored.put(rs.getLong(1), rs.getString(2));
                });
        assertThat(stored).isEqualTo(given);
        assertThat(jdbc.sql("select count(*) from audit_entry where request_id like 'many-broken-%'").query(Long.class).single()).isZero();
        AuditVerifier.Report report = verifier.verify();
        assertThat(report.intact()).as(report.problem()).isTrue();
    }

    @Test
    void theApplicationCannotRewriteOrDeleteTheTrail() {
        long seq = trail.append(read(2, 20));
        assertThatThrownBy(() -> jdbc.sql("update audit_entry set detail = 'x' where seq = ?").param(seq).update())
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("delete from audit_entry where seq = ?").param(seq).update())
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("update audit_checkpoint set signature = 'x'").update())
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
    }

    @Test
    void aRowAlteredBehindTheApplicationsBackIsNamedByVerification() {
        long seq = trail.append(List.of(read(3, 30), read(3, 31), read(3, 32))) - 1;
        String original = jdbc.sql("select patient_id::text from audit_entry where seq = ?").param(seq).query(String.class).single();
        try {
            // As the database superuser, who can disable the trigger: what an intruder with the database would do.
            jdbc.sql("alter table audit_entry disable trigger audit_entry_append_only").update();
            jdbc.sql("update audit_entry set patient_id = 999999 where seq = ?").param(seq).update();
            jdbc.sql("alter table audit_entry enable trigger audit_entry_append_only").update();

            AuditVerifier.Report report = verifier.verify();
            assertThat(report.intact()).isFalse();
            assertThat(report.firstBrokenSeq()).isEqualTo(seq);
            assertThat(report.problem()).contains("entry " + seq).contains("altered");
        } finally {
            jdbc.sql("alter table audit_entry disable trigger audit_entry_append_only").update();
            jdbc.sql("update audit_entry set patient_id = ?::bigint where seq = ?").param(original).param(seq).update();
            jdbc.sql("alter table audit_entry enable trigger audit_entry_append_only").update();
            // The running server saw the rewrite and signs nothing until restarted (docs/security/access-and-audit.md).
            trail.stop();
            trail.start();
        }
        AuditVerifier.Report restored = verifier.verify();
        assertThat(restored.intact()).as(restored.problem()).isTrue();
    }

    @Test
    void aLongTrailIsVerifiedInParallelRangesAndABreakInAnyRangeIsNamed() {
        // Enough entries for several ranges (200,000 each), chained and checkpointed as live ones, by a fresh account.
        long reader = fixtures().staffId(org.dossier.support.Accounts.newPhysician(as("admin"), credentials));
        long first = jdbc.sql("select min(id) from patient").query(Long.class).single();
        history.load(450_000, List.of(new AuditHistoryLoader.Reader(reader, "history-reader", "PHYSICIAN", 1, first, first + 100)),
                java.time.Duration.ofMinutes(10), 1);
        AuditVerifier.Report intact = verifier.verify();
        assertThat(intact.intact()).as(intact.problem()).isTrue();
        assertThat(intact.entriesChecked()).isGreaterThanOrEqualTo(450_000);

        long seq = jdbc.sql("select last_seq from audit_head").query(Long.class).single() - 1_000;
        String original = jdbc.sql("select resource_id from audit_entry where seq = ?").param(seq).query(String.class).single();
        try {
            jdbc.sql("alter table audit_entry disable trigger audit_entry_append_only").update();
            jdbc.sql("update audit_entry set resource_id = 'forged' where seq = ?").param(seq).update();
            jdbc.sql("alter table audit_entry enable trigger audit_entry_append_only").update();
            AuditVerifier.Report broken = verifier.verify();
            assertThat(broken.intact()).isFalse();
            assertThat(broken.firstBrokenSeq()).isEqualTo(seq);
        } finally {
            jdbc.sql("alter table audit_entry disable trigger audit_entry_append_only").update();
            jdbc.sql("update audit_entry set resource_id = ? where seq = ?").param(original).param(seq).update();
            jdbc.sql("alter table audit_entry enable trigger audit_entry_append_only").update();
            trail.stop();
            trail.start();
        }
        AuditVerifier.Report restored = verifier.verify();
        assertThat(restored.intact()).as(restored.problem()).isTrue();
    }

    @Test
    void checkpointsAreSignedAndCheckableWithTheExportedPublicKey() {
        trail.append(read(4, 40));
        trail.checkpointNow();
        var checkpoint = jdbc.sql("select seq, head_hash, signed_at, signature from audit_checkpoint order by seq desc limit 1")
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString(), rs.getString(4)})
                .single();
        String publicKey = verifier.verify().publicKey();
        assertThat(AuditSigner.verify(publicKey, (long) checkpoint[0], (String) checkpoint[1], (String) checkpoint[2], (String) checkpoint[3])).isTrue();
        assertThat(AuditSigner.verify(publicKey, (long) checkpoint[0], "f".repeat(64), (String) checkpoint[2], (String) checkpoint[3]))
                .as("a checkpoint of another head does not verify").isFalse();
        String otherKey = AuditSigner.newKeyMaterial().split("\\.")[1];
        assertThat(AuditSigner.verify(otherKey, (long) checkpoint[0], (String) checkpoint[1], (String) checkpoint[2], (String) checkpoint[3]))
                .as("nor with another key").isFalse();
        assertThat(verifier.verify().checkpointsChecked()).isPositive();
    }

    @Test
    void theHeadOnlyMovesForwardAndNeitherItNorTheCheckpointsCanBeEmptied() {
        trail.append(read(5, 53));
        long head = jdbc.sql("select last_seq from audit_head").query(Long.class).single();
        assertThatThrownBy(() -> jdbc.sql("update audit_head set last_seq = last_seq - 1").update()).hasMessageContaining("only moves forward");
        assertThatThrownBy(() -> jdbc.sql("update audit_head set last_hash = repeat('0', 64)").update()).hasMessageContaining("only moves forward");
        assertThatThrownBy(() -> jdbc.sql("delete from audit_head").update()).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("truncate audit_head").update()).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("truncate audit_checkpoint").update()).hasMessageContaining("append-only");
        assertThat(jdbc.sql("select last_seq from audit_head").query(Long.class).single()).isEqualTo(head);
        assertThat(trail.append(read(5, 54))).as("the writer still advances it").isEqualTo(head + 1);
    }

    @Test
    void anEntryThatCannotBeWrittenFailsTheCallerAndLeavesNoTrace() {
        long before = jdbc.sql("select last_seq from audit_head").query(Long.class).single();
        AuditRecord broken = new AuditRecord(Instant.now(), 5L, "u", "R", 1, null, null, null, null, 50L, null, null, null,
                AuditRecord.Decision.ALLOW, null, null, null, null);
        assertThatThrownBy(() -> trail.append(List.of(read(5, 51), broken))).isInstanceOf(AuditUnavailableException.class);
        assertThat(jdbc.sql("select last_seq from audit_head").query(Long.class).single()).isEqualTo(before);
        assertThat(trail.append(read(5, 52))).as("the trail goes on").isEqualTo(before + 1);
    }

    @Test
    void signInsAndTheirFailuresAreInTheTrail() {
        org.dossier.support.BrowserSession browser = new org.dossier.support.BrowserSession(port);
        browser.login("billing", "not the right password");
        browser.login("billing", org.dossier.demo.DemoAccounts.PASSWORD);
        List<String> actions = jdbc.sql("select action from audit_entry where actor_username = 'billing' order by seq")
                .query(String.class).list();
        assertThat(actions).contains("SECURITY:LOGIN_FAILED", "SECURITY:LOGIN_SUCCEEDED");
        assertThat(jdbc.sql("select source_address from audit_entry where actor_username = 'billing' and action = 'SECURITY:LOGIN_FAILED'"
                + " order by seq desc limit 1").query(String.class).single()).isEqualTo("127.0.0.1");
        assertThat(verifier.verify().intact()).isTrue();
    }

    @Test
    void onlyTheSecurityOfficerRunsTheVerification() {
        var report = as("security").get("/api/audit/verification");
        assertThat(report.status()).as(report.toString()).isEqualTo(200);
        assertThat(report.json().get("intact").asBoolean()).isTrue();
        assertThat(as("admin").get("/api/audit/verification").status()).isEqualTo(403);
        assertThat(as("physician").get("/api/audit/verification").status()).isEqualTo(403);
    }
}
