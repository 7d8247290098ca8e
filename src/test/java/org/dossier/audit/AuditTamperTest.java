package org.dossier.audit;

import com.sun.net.httpserver.HttpServer;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thirteen ways someone holding the database's superuser rewrites the audit trail (issue 17), each done with the
 * append-only triggers switched off, as that person would, and each caught both by the running server's
 * {@code GET /api/audit/verification} and by the offline verifier {@code bin/audit-verify} runs
 * ({@link AuditVerificationCommand#verifyAndPrint}), after the server stopped. A server of its own (its own embedded
 * PostgreSQL, witness file and HTTP witness): every test restores the trail, the witness and the writer it tampered with.
 */
class AuditTamperTest extends IntegrationTest {

    /** Lines posted to the HTTP witness. */
    private static final List<String> POSTED = new CopyOnWriteArrayList<>();
    private static final HttpServer HTTP_WITNESS = httpWitness();

    @DynamicPropertySource
    static void witness(DynamicPropertyRegistry registry) {
        registry.add("dossier.audit.witness.url", () -> "http://127.0.0.1:" + HTTP_WITNESS.getAddress().getPort() + "/witness");
        registry.add("dossier.demo.patients", () -> "60");
    }

    @Autowired
    AuditTrail trail;
    @Autowired
    AuditVerificationCommand command;
    @Autowired
    AuditWitness witness;
    @Autowired
    AuditFiles files;

    /** Two signed checkpoints and a tail of entries after the second, not yet checkpointed. */
    private long first, second, head;
    private byte[] witnessBefore;

    @BeforeEach
    void aLegitimateTrailWithTwoCheckpointsAndATail() throws IOException {
        as("security").get("/api/audit/checkpoints"); // signed in before anything is tampered with
        trail.append(entries(30));
        first = trail.checkpointNow().seq();
        trail.append(entries(30));
        second = trail.checkpointNow().seq();
        head = trail.append(entries(60));
        jdbc.sql("drop table if exists snap_entry, snap_checkpoint, snap_head").update();
        jdbc.sql("create table snap_entry as select * from audit_entry").update();
        jdbc.sql("create table snap_checkpoint as select * from audit_checkpoint").update();
        jdbc.sql("create table snap_head as select * from audit_head").update();
        witnessBefore = Files.readAllBytes(witness.file());
    }

    @AfterEach
    void restoreTheTrailTheWitnessAndTheWriter() throws IOException {
        trail.stop();
        asSuperuser("delete from audit_entry", "insert into audit_entry select * from snap_entry", "delete from audit_checkpoint",
                "insert into audit_checkpoint select * from snap_checkpoint",
                "update audit_head set last_seq = s.last_seq, last_hash = s.last_hash from snap_head s");
        Files.write(witness.file(), witnessBefore);
        trail.start();
    }

    @Test
    void aLegitimateTrailVerifiesIntactAgainstItsWitnessOnlineAndOffline() throws Exception {
        var online = as("security").get("/api/audit/verification");
        assertThat(online.status()).isEqualTo(200);
        assertThat(online.json().get("intact").asBoolean()).as(online.toString()).isTrue();
        assertThat(online.json().get("witness").asString()).contains(witness.file().toString()).contains("checkpoints up to entry");
        trail.stop();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = command.verifyAndPrint(new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Audit trail intact").contains("witness file " + witness.file());
        assertThat(code).isZero();
        List<String> lines = Files.readAllLines(witness.file());
        assertThat(lines.get(lines.size() - 1)).contains("\"type\":\"stop\"").contains("\"seq\":" + head);
    }

    @Test
    void theWitnessIsOutsideTheDataDirectoryAndAlsoPostedToTheHttpWitness() throws Exception {
        assertThat(witness.file().startsWith(files.dataDir())).isFalse();
        assertThat(files.keyFile().startsWith(files.dataDir())).isFalse();
        assertThat(files.dataDir().resolve("audit-signing.key")).doesNotExist();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (POSTED.stream().noneMatch(l -> l.contains("\"seq\":" + second + ",")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        String line = POSTED.stream().filter(l -> l.contains("\"seq\":" + second + ",")).findFirst().orElseThrow();
        assertThat(Files.readAllLines(witness.file())).contains(line);
    }

    @Test
    void aLineRemovedFromTheWitnessIsNamed() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(witness.file()));
        lines.remove(lines.size() - 2);
        Files.write(witness.file(), lines);
        trail.stop();
        assertOfflineDetects("does not follow the line before it");
    }

    @Test
    void theServerRefusesToSignABrokenHeadAndRaisesACriticalAlert() throws IOException {
        long alertsBefore = jdbc.sql("select coalesce(max(id), 0) from guard_alert").query(Long.class).single();
        long checkpointsBefore = count("audit_checkpoint");
        long witnessLinesBefore = Files.readAllLines(witness.file()).size();
        rewriteAndRecompute(second + 5);

        AuditTrail.Checkpoint refused = trail.checkpointNow();
        assertThat(refused.signed()).isFalse();
        assertThat(refused.problem()).contains("rewritten");
        assertThat(count("audit_checkpoint")).isEqualTo(checkpointsBefore);
        assertThat(Files.readAllLines(witness.file())).hasSize((int) witnessLinesBefore);
        var alert = jdbc.sql("select signal, severity, evidence, staff_id from guard_alert where id > ? order by id").param(alertsBefore)
                .query((rs, n) -> new Object[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4)}).list();
        assertThat(alert).hasSize(1);
        assertThat(alert.get(0)[0]).isEqualTo("AUDIT_CHAIN_BROKEN");
        assertThat(alert.get(0)[1]).isEqualTo("CRITICAL");
        assertThat((String) alert.get(0)[2]).contains("rewritten");
        assertThat(alert.get(0)[3]).isNull();
        assertThat(as("security").get("/api/guard/alerts").toString()).contains("AUDIT_CHAIN_BROKEN");

        trail.append(entries(3));
        assertThat(trail.checkpointNow().signed()).as("still refused after more entries: the server does not adopt the rewritten head").isFalse();
        assertThat(count("audit_checkpoint")).isEqualTo(checkpointsBefore);
        assertThat(jdbc.sql("select count(*) from guard_alert where id > ?").param(alertsBefore).query(Long.class).single())
                .as("alerted once, not every minute").isEqualTo(1);
    }

    // ---- the thirteen tamper cases ----

    @Test
    void case01_anEntrysContentAltered() {
        asSuperuser("update audit_entry set resource_id = 'forged' where seq = " + (first - 5));
        assertDetected("entry " + (first - 5) + " was altered");
    }

    @Test
    void case02_anEntryDeletedInTheMiddle() {
        asSuperuser("delete from audit_entry where seq = " + (first - 5));
        assertDetected("entries " + (first - 5) + " to " + (first - 5) + " are missing");
    }

    @Test
    void case03_anEntryInserted() {
        long at = first - 5;
        asSuperuser("update audit_entry set seq = seq + 1000000000 where seq >= " + at,
                "update audit_entry set seq = seq - 999999999 where seq >= " + (1000000000 + at),
                "insert into audit_entry select " + at + ", recorded_at, actor_id, actor_username, actor_roles, facility_id, session_id,"
                        + " source_address, user_agent, action, 424242, resource_type, resource_id, sections, decision, reason_code, purpose,"
                        + " request_id, detail, prev_hash, hash from audit_entry where seq = " + (at + 1),
                "update audit_head set last_seq = last_seq + 1");
        recompute(at, at);
        assertDetected("does not link to the entry before it");
    }

    @Test
    void case04_twoEntriesSwapped() {
        long a = first - 5;
        asSuperuser("update audit_entry set seq = -1 where seq = " + a, "update audit_entry set seq = " + a + " where seq = " + (a + 1),
                "update audit_entry set seq = " + (a + 1) + " where seq = -1");
        assertDetected("does not link to the entry before it");
    }

    @Test
    void case05_aHashAlteredAndTheFollowingOnesRecomputed() {
        asSuperuser("update audit_entry set action = 'forged' where seq = " + (first + 3));
        recompute(first + 3, Long.MAX_VALUE);
        assertDetected("the chain at entry " + second + " differs from its signed checkpoint");
    }

    @Test
    void case06_aCheckpointSignatureForged() {
        String signature = jdbc.sql("select signature from audit_checkpoint where seq = ?").param(first).query(String.class).single();
        String forged = Base64.getEncoder().encodeToString(new byte[64]);
        assertThat(forged).isNotEqualTo(signature);
        asSuperuser("update audit_checkpoint set signature = '" + forged + "' where seq = " + first);
        assertDetected("checkpoint " + first + " has a signature that does not verify");
    }

    @Test
    void case07_aCheckpointInTheMiddleDeleted() {
        asSuperuser("delete from audit_checkpoint where seq = " + first);
        assertDetected("checkpoint " + first + " is missing from the database, but witness line");
    }

    @Test
    void case08_theTailAfterTheLastCheckpointTruncatedAndTheHeadReset() {
        asSuperuser("delete from audit_entry where seq > " + second,
                "update audit_head set last_seq = " + second + ", last_hash = (select hash from audit_entry where seq = " + second + ")");
        assertDetected("entries were removed", "entries were removed");
    }

    @Test
    void case09_truncatedAndTheCheckpointsAfterItDeleted() {
        long keep = first + 10;
        asSuperuser("delete from audit_entry where seq > " + keep, "delete from audit_checkpoint where seq > " + keep,
                "update audit_head set last_seq = " + keep + ", last_hash = (select hash from audit_entry where seq = " + keep + ")");
        assertDetected("saw entry " + second + ": entries were removed");
    }

    @Test
    void case10_rewrittenAfterTheLastCheckpointAndRecomputed() {
        rewriteAndRecompute(second + 5);
        assertDetected("rewritten", "the chain was rewritten");
    }

    @Test
    void case11_everythingRecomputedAndTheCheckpointsResignedWithTheStolenKey() {
        // The development key sits outside the data directory, but the embedded PostgreSQL runs as the same OS user: a
        // superuser reads it as the tester did (docs/security/access-and-audit.md says so). Only the witness catches this.
        String material = jdbc.sql("select pg_read_file(?)").param(files.keyFile().toString()).query(String.class).single().strip();
        asSuperuser("update audit_entry set patient_id = 999999 where seq = 3");
        recompute(3, Long.MAX_VALUE);
        for (long seq : jdbc.sql("select seq from audit_checkpoint where seq >= 3").query(Long.class).list()) {
            String hash = jdbc.sql("select hash from audit_entry where seq = ?").param(seq).query(String.class).single();
            String at = jdbc.sql("select signed_at from audit_checkpoint where seq = ?").param(seq).query(OffsetDateTime.class).single()
                    .toInstant().toString();
            asSuperuser("update audit_checkpoint set head_hash = '" + hash + "', signature = '" + stolenSign(material, seq, hash, at)
                    + "' where seq = " + seq);
        }
        assertThat(new AuditVerifierProbe().databaseAlone()).as("the database alone looks intact").isTrue();
        assertDetected("the chain was rewritten");
    }

    @Test
    void case12_recomputedAndTheCheckpointsDeleted() {
        asSuperuser("update audit_entry set patient_id = 999999 where seq = 3", "delete from audit_checkpoint");
        recompute(3, Long.MAX_VALUE);
        assertDetected("the chain was rewritten");
    }

    @Test
    void case13_theTableTheHeadAndTheCheckpointsEmptied() {
        asSuperuser("delete from audit_entry", "delete from audit_checkpoint",
                "update audit_head set last_seq = 0, last_hash = '" + AuditChain.GENESIS + "'");
        assertDetected("the audit trail is empty, but witness line");
    }

    // ---- how ----

    private void assertDetected(String expected) {
        assertDetected(expected, expected);
    }

    /** The running server's endpoint names it; then, the server stopped, so does the offline verifier. */
    private void assertDetected(String online, String offline) {
        var report = as("security").get("/api/audit/verification");
        assertThat(report.status()).isEqualTo(200);
        JsonNode json = report.json();
        assertThat(json.get("intact").asBoolean()).as(report.toString()).isFalse();
        assertThat(json.get("problem").asString()).contains(online);
        assertThat(json.get("witness").asString()).contains(witness.file().toString());
        trail.stop();
        assertOfflineDetects(offline);
    }

    private void assertOfflineDetects(String expected) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = command.verifyAndPrint(new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).startsWith("AUDIT TRAIL BROKEN").contains(expected).contains("witness file " + witness.file());
        assertThat(code).isEqualTo(1);
    }

    /** What the verifier said before the witness existed: the chain and checkpoints in the database, checked against each other. */
    private final class AuditVerifierProbe {
        boolean databaseAlone() {
            Long mismatches = jdbc.sql("""
                    select count(*) from audit_checkpoint c join audit_entry e on e.seq = c.seq where e.hash <> c.head_hash""")
                    .query(Long.class).single();
            return mismatches == 0;
        }
    }

    private void rewriteAndRecompute(long from) {
        asSuperuser("update audit_entry set patient_id = 999999 where seq = " + from);
        recompute(from, Long.MAX_VALUE);
    }

    /** Recomputes the hashes of entries from..to (and everything after when to is the end), and the head, as an attacker can. */
    private void recompute(long from, long to) {
        AuditChain.Canonical canonical = new AuditChain.Canonical();
        String previous = from == 1 ? AuditChain.GENESIS
                : jdbc.sql("select hash from audit_entry where seq = ?").param(from - 1).query(String.class).single();
        long last = to == Long.MAX_VALUE ? jdbc.sql("select max(seq) from audit_entry").query(Long.class).single() : to;
        List<String> updates = new ArrayList<>();
        var rows = jdbc.sql(AuditVerifier.ENTRIES).param(from).param(last).query((rs, n) -> {
            String[] fields = new String[AuditChain.TEXT_FIELDS];
            for (int i = 0; i < fields.length; i++) {
                fields[i] = rs.getString(3 + i);
            }
            return new Object[]{rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), fields};
        }).list();
        for (Object[] row : rows) {
            long seq = (long) row[0];
            String hash = canonical.of(seq, (java.time.Instant) row[1], (String[]) row[2]).hash(previous);
            updates.add("update audit_entry set prev_hash = '" + previous + "', hash = '" + hash + "' where seq = " + seq);
            previous = hash;
        }
        if (to == Long.MAX_VALUE) {
            updates.add("update audit_head set last_hash = '" + previous + "'");
        }
        asSuperuser(updates.toArray(String[]::new));
    }

    private static String stolenSign(String material, long seq, String hash, String signedAt) {
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(material.split("\\.")[0])));
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(AuditSigner.payload(seq, hash, signedAt));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As the database superuser: the append-only triggers off, the statements, the triggers on again. */
    private void asSuperuser(String... statements) {
        jdbc.sql("alter table audit_entry disable trigger user").update();
        jdbc.sql("alter table audit_checkpoint disable trigger user").update();
        jdbc.sql("alter table audit_head disable trigger user").update();
        try {
            for (String sql : statements) {
                jdbc.sql(sql).update();
            }
        } finally {
            jdbc.sql("alter table audit_entry enable trigger user").update();
            jdbc.sql("alter table audit_checkpoint enable trigger user").update();
            jdbc.sql("alter table audit_head enable trigger user").update();
        }
    }

    private static List<AuditRecord> entries(int n) {
        List<AuditRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(AuditRecord.unstamped().account(7L, "tamper-test").roles("PHYSICIAN").facility(1).session("session:t")
                    .from("127.0.0.1", "test").stored("READ", "Patient", Long.toString(100 + i)).patient(100L + i)
                    .stored(AuditRecord.Decision.ALLOW, "CARE_TEAM", "TREAT", "IDENTITY").request("req-t" + i).build());
        }
        return records;
    }

    private static HttpServer httpWitness() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/witness", exchange -> {
                POSTED.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
