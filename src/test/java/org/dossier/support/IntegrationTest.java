package org.dossier.support;

import org.springframework.beans.factory.annotation.Qualifier;
import javax.sql.DataSource;
import org.dossier.demo.DemoAccounts;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

/**
 * The whole server on a random port, on its own embedded PostgreSQL with a small demo hospital.
 * Every test class extending this shares one server (Spring caches the context).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "dossier.demo.enabled=true",
        "dossier.demo.patients=600",
        "dossier.demo.clinic-days-behind=1",
        "dossier.demo.clinic-days-ahead=1",
        "dossier.db.embedded.shared-buffers=64MB",
        // The shared test server is used by many tests and accounts at once: the guard's thresholds are raised here so
        // that they do not freeze the demo accounts; GuardedServerTest runs the guard with its real thresholds.
        "dossier.guard.threshold-scale=10000",
        // /actuator/prometheus answers only to this token (web/MetricsScrape)
        "dossier.metrics.token=" + IntegrationTest.METRICS_TOKEN,
})
@Import(StatementCounter.class)
public abstract class IntegrationTest {

    /** The scrape token of the test servers. */
    public static final String METRICS_TOKEN = "test-scrape-token-0123456789abcdef0123456789";

    @LocalServerPort
    protected int port;

    /** Direct SQL for checks and set-ups, as the database owner: it sees every facility, as a DBA would. */
    protected JdbcClient jdbc;

    @Autowired
    void ownerConnections(@Qualifier("owner") DataSource owner) {
        this.jdbc = JdbcClient.create(owner);
    }

    @Autowired
    private org.dossier.identity.LiveTokens liveTokens;

    /**
     * After a change of accounts or tokens made here in SQL, behind the server's back, as another node would: returns
     * once the server has heard it (the notification of ADR 0037), so that its next request cannot be answered from
     * what it remembered before.
     */
    protected void heardByTheServer() {
        org.assertj.core.api.Assertions.assertThat(liveTokens.awaitHeard(java.time.Duration.ofSeconds(10)))
                .as("the server heard the account change").isTrue();
    }

    /** A fresh cluster for each server the tests start (Spring caches and shares them), never one directory for two. */
    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        Path dir = TestDataDirs.fresh("server");
        registry.add("dossier.data-dir", dir::toString);
        // The hospital's mail relay: a real SMTP server in this JVM (enrolment codes sent by e-mail, ADR 0049).
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", TestMailbox::port);
        // Tests that make a row as written before V57 seal it themselves, when they choose (IdentitySealingTest).
        registry.add("dossier.keys.identity-sealing.background", () -> "false");
    }

    protected Api anonymous() {
        return Api.anonymous(port);
    }

    protected Api as(String username) {
        return Api.anonymous(port).as(username, DemoAccounts.PASSWORD);
    }

    protected Fixtures fixtures() {
        return new Fixtures(as("frontdesk"), as("admin"), jdbc);
    }

    @Autowired
    private org.dossier.platform.crypto.FieldCipher cipher;

    /** A patient's identity as its row holds it, opened: the columns are sealed (V57), a plain {@code select} shows bytes. */
    protected org.dossier.patient.PatientRows.Identity identity(long patientId) {
        return identities(jdbc, cipher, "where id = " + patientId).values().iterator().next();
    }

    /** The ids, in order, of the patients whose opened identity satisfies {@code condition} (opens every row: a test's registry). */
    protected java.util.List<Long> patientsWhere(java.util.function.Predicate<org.dossier.patient.PatientRows.Identity> condition) {
        return identities(jdbc, cipher, "").entrySet().stream().filter(e -> condition.test(e.getValue())).map(java.util.Map.Entry::getKey)
                .toList();
    }

    /** Every patient's opened identity by id, of the rows {@code where} selects, for tests that read the registry in SQL. */
    public static java.util.SortedMap<Long, org.dossier.patient.PatientRows.Identity> identities(JdbcClient jdbc,
            org.dossier.platform.crypto.FieldCipher cipher, String where) {
        java.util.SortedMap<Long, org.dossier.patient.PatientRows.Identity> found = new java.util.TreeMap<>();
        jdbc.sql("select id, facility_id, " + org.dossier.patient.PatientRows.IDENTITY_COLUMNS + " from patient " + where)
                .query(rs -> {
                    found.put(rs.getLong("id"), org.dossier.patient.PatientRows.Identity.open(cipher, rs));
                });
        return found;
    }

    protected org.dossier.platform.crypto.FieldCipher cipher() {
        return cipher;
    }

    protected long count(String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }

    /** Crypto-shreds a patient: asked by the security officer, confirmed by an administrator (CryptoShreddingTest shows the refusals). */
    protected void shred(long patient) {
        Api.Response asked = as("security").post("/api/patients/" + patient + "/erasure", java.util.Map.of("ground", "PATIENT_REQUEST"));
        org.assertj.core.api.Assertions.assertThat(asked.status()).as(asked.toString()).isEqualTo(201);
        Api.Response confirmed = as("admin").post("/api/access/erasures/" + asked.json().get("id").asLong() + "/confirm", java.util.Map.of());
        org.assertj.core.api.Assertions.assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
    }
}
