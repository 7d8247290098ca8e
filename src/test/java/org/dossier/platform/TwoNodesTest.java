package org.dossier.platform;

import org.dossier.DossierApplication;
import org.dossier.audit.AuditVerifier;
import org.dossier.demo.DemoAccounts;
import org.dossier.platform.database.EmbeddedPostgresServer;
import org.dossier.support.Api;
import org.dossier.support.PatientJson;
import org.dossier.support.TestDataDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Dossier nodes on one PostgreSQL, as behind a load balancer (issue 20): nothing that protects the records is
 * kept by a node alone. A freeze decided on one node stops the account on the other at once; the guard's budget is one
 * budget; both nodes append to one audit chain that verifies; a token issued by one is honoured by the other.
 * The guard runs with its real thresholds here.
 */
class TwoNodesTest {

    private static EmbeddedPostgresServer database;
    private static ConfigurableApplicationContext nodeA;
    private static ConfigurableApplicationContext nodeB;
    private static JdbcClient owner;
    private static String keysDir;

    @BeforeAll
    static void startTwoNodes() {
        database = EmbeddedPostgresServer.start(TestDataDirs.fresh("two-nodes-db"), Map.of("shared_buffers", "32MB"));
        // Every node of a cluster signs checkpoints with the same key (bin/audit-keygen; PKCS#11 in production); each keeps
        // its own witness file, a chain of the checkpoints it made (two writers in one file would interleave two chains).
        // Likewise the key that seals the authenticator secrets, and the one that wraps the data keys of patient data: a
        // node with a key of its own cannot open the others'.
        String key = signingKey();
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        String secretKey = java.util.Base64.getEncoder().encodeToString(secret);
        keysDir = TestDataDirs.fresh("two-nodes-keys").toString();
        nodeA = start(key, secretKey, true);
        nodeB = start(key, secretKey, false);
        owner = JdbcClient.create(nodeA.getBean("ownerDataSource", javax.sql.DataSource.class));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{nodeB, nodeA, database}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing what is left
            }
        }
    }

    /** A new signing key, as {@code bin/audit-keygen} prints it. */
    private static String signingKey() {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            org.dossier.audit.AuditKeys.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        return printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("DOSSIER_AUDIT_SIGNING_KEY="))
                .findFirst().orElseThrow().substring("DOSSIER_AUDIT_SIGNING_KEY=".length());
    }

    private static ConfigurableApplicationContext start(String signingKey, String secretKey, boolean demo) {
        Map<String, Object> props = new HashMap<>(Map.of(
                "server.port", "0",
                "dossier.data-dir", TestDataDirs.fresh("two-nodes-app").toString(),
                "dossier.audit.signing-key", signingKey,
                "dossier.secret-key", secretKey,
                "dossier.keys.dir", keysDir,
                "dossier.db.url", database.jdbcUrl(),
                "dossier.db.user", database.user(),
                "dossier.db.password", database.password(),
                "dossier.db.app-user", EmbeddedPostgresServer.APP_ROLE,
                "dossier.db.app-password", database.appPassword()));
        props.putAll(Map.of("dossier.demo.enabled", Boolean.toString(demo), "dossier.demo.patients", "80", "dossier.demo.clinic-days-behind", "0", "dossier.demo.clinic-days-ahead", "0"));
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(DossierApplication.class).run(args);
    }


    private static Api anonymous(ConfigurableApplicationContext node) {
        return Api.anonymous(((WebServerApplicationContext) node).getWebServer().getPort());
    }

    private static long staffId(String username) {
        return owner.sql("select id from staff where username = ?").param(username).query(Long.class).single();
    }

    @Test
    void aFreezeDecidedOnOneNodeStopsTheAccountOnTheOtherAtItsNextRequest() {
        String token = Api.fetchToken(((WebServerApplicationContext) nodeA).getWebServer().getPort(), "frontdesk", DemoAccounts.PASSWORD);
        Api deskOnA = anonymous(nodeA).withBearer(token);
        Api deskOnB = anonymous(nodeB).withBearer(token);
        long patient = deskOnA.post("/api/patients", PatientJson.reviewed(1, PatientJson.provisional("Deuxnoeuds", "Anne", "1971-03-04", "F")))
                .json().get("id").asLong();
        assertThat(deskOnB.get("/api/patients/" + patient).status()).as("a token issued by A, honoured by B").isEqualTo(200);
        assertThat(deskOnB.get("/api/me").status()).isEqualTo(200);

        // A canary shown on node A freezes the account there.
        long canary = deskOnA.post("/api/patients", PatientJson.reviewed(1, PatientJson.provisional("Canarineau", "Cole", "1969-08-09", "M")))
                .json().get("id").asLong();
        owner.sql("insert into guard_canary (patient_id, facility_id, created_at) select id, facility_id, now() from patient where id = ?").param(canary).update();
        Api.Response tripped = deskOnA.get("/api/patients/" + canary);
        long frozenAt = System.nanoTime();
        assertThat(tripped.status()).as(tripped.toString()).isEqualTo(403);
        assertThat(tripped.body()).contains("account-frozen");

        // Node B, which remembered the token a moment ago, shows nothing more: not the patient it showed before…
        Api.Response read = deskOnB.get("/api/patients/" + patient);
        assertThat(read.status()).as(read.toString()).isIn(401, 403);
        assertThat(read.body()).doesNotContain("Deuxnoeuds");
        // …and, once it heard the freeze (a notification on commit), nothing at all.
        long deadline = frozenAt + 5_000_000_000L;
        int me;
        do {
            me = deskOnB.get("/api/me").status();
        } while (me == 200 && System.nanoTime() < deadline);
        System.out.printf("Node B refused the frozen account's token %d ms after node A froze it%n", (System.nanoTime() - frozenAt) / 1_000_000);
        assertThat(me).isEqualTo(401);
        owner.sql("update staff set status = 'ACTIVE' where username = 'frontdesk'").update();
        owner.sql("delete from guard_canary where patient_id = ?").param(canary).update();
    }

    @Test
    void refusalsOnBothNodesCountAgainstOneBudget() {
        // A patient of another facility: the physician of facility 1 is refused it, and each refusal counts (5 a minute freeze).
        long elsewhere = owner.sql("select id from patient where facility_id = 2 order by id limit 1").query(Long.class).single();
        String token = Api.fetchToken(((WebServerApplicationContext) nodeA).getWebServer().getPort(), "nurse", DemoAccounts.PASSWORD);
        List<Integer> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ConfigurableApplicationContext node = i % 2 == 0 ? nodeA : nodeB;
            answers.add(anonymous(node).withBearer(token).get("/api/patients/" + elsewhere).status());
        }
        assertThat(owner.sql("select status from staff where username = 'nurse'").query(String.class).single())
                .as("refused %s, alternating nodes: one budget", answers).isEqualTo("FROZEN");
        assertThat(owner.sql("select count(*) from guard_alert where staff_id = ? and signal = 'REFUSALS'").param(staffId("nurse"))
                .query(Long.class).single()).isEqualTo(1);
        owner.sql("update staff set status = 'ACTIVE' where username = 'nurse'").update();
    }

    @Test
    void bothNodesAppendingAtOnceKeepOneChainThatVerifies() throws Exception {
        // Signed in on node B: it opens the authenticator secret node A's demo sealed (one DOSSIER_SECRET_KEY).
        String token = Api.fetchToken(((WebServerApplicationContext) nodeB).getWebServer().getPort(), "billing", DemoAccounts.PASSWORD);
        long before = owner.sql("select coalesce(max(seq), 0) from audit_entry").query(Long.class).single();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> requestIds = new ConcurrentLinkedQueue<>();
        long patient = owner.sql("select min(id) from patient where facility_id = 1 and status = 'ACTIVE'").query(Long.class).single();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Api caller = anonymous(t % 2 == 0 ? nodeA : nodeB).withBearer(token);
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    // one patient's record, again and again: each answer is one audit entry
                    Api.Response r = caller.get("/api/patients/" + patient);
                    if (r.status() == 200) {
                        requestIds.add(r.header("X-Request-Id"));
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        Thread.sleep(3_000);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        long appended = owner.sql("select count(*) from audit_entry where seq > ?").param(before).query(Long.class).single();
        System.out.printf("Two nodes appended %d audit entries in 3 s%n", appended);
        assertThat(appended).as("both nodes appended").isGreaterThan(10);
        assertThat(owner.sql("select count(*) from audit_entry where seq > ? and request_id = any(?)").param(before)
                .param(requestIds.toArray(String[]::new)).query(Long.class).single())
                .as("each answer audited once, whichever node gave it").isEqualTo(requestIds.size());
        for (ConfigurableApplicationContext node : List.of(nodeA, nodeB)) {
            AuditVerifier.Report report = node.getBean(AuditVerifier.class).verify();
            assertThat(report.intact()).as(report.problem()).isTrue();
        }
    }
}
