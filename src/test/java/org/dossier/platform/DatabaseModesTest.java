package org.dossier.platform;

import org.dossier.DossierApplication;
import org.dossier.demo.DemoAccounts;
import org.dossier.platform.database.EmbeddedPostgresServer;
import org.dossier.support.Api;
import org.dossier.support.PatientJson;
import org.dossier.support.TestDataDirs;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The two ways to run: the embedded PostgreSQL that keeps its data across restarts, and an external server. */
class DatabaseModesTest {

    /**
     * Also the server key's move out of the data directory (issue 22): the first start makes it in {@code <data>-keys/};
     * put back where earlier versions kept it, the second start moves it out again and still opens what it sealed in the
     * database (the SMART signing key at start, the demo accounts' authenticator secrets at sign-in).
     */
    @Test
    void anEmptyDataDirectoryIsInitialisedAndKeepsItsDataAcrossARestart() throws Exception {
        Path dataDir = TestDataDirs.fresh("restart");
        long id;
        try (ConfigurableApplicationContext first = start(Map.of("dossier.data-dir", dataDir.toString()))) {
            Api desk = api(first).as("frontdesk", DemoAccounts.PASSWORD);
            assertThat(Api.anonymous(port(first)).get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
            Api.Response created = desk.post("/api/patients", PatientJson.registration(1, PatientJson.valid("Persistant", "Pierre")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            id = created.json().get("id").asLong();
        }
        assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).exists();
        Path serverKey = dataDir.resolveSibling(dataDir.getFileName() + "-keys").resolve("secret.key");
        assertThat(serverKey).as("the server key, outside the data directory").exists();
        assertThat(dataDir.resolve("secret.key")).doesNotExist();
        Files.move(serverKey, dataDir.resolve("secret.key"));

        try (ConfigurableApplicationContext second = start(Map.of("dossier.data-dir", dataDir.toString()))) {
            Api desk = api(second).as("frontdesk", DemoAccounts.PASSWORD);
            Api.Response read = desk.get("/api/patients/" + id);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().at("/data/birthFamilyName").asString()).isEqualTo("Persistant");
            Integer facilities = org.springframework.jdbc.core.simple.JdbcClient.create(second.getBean("ownerDataSource", javax.sql.DataSource.class))
                    .sql("select count(*) from facility").query(Integer.class).single();
            assertThat(facilities).as("the demo hospital is not loaded twice").isEqualTo(3);
        }
        assertThat(serverKey).as("moved out of the data directory again").exists();
        assertThat(dataDir.resolve("secret.key")).doesNotExist();
    }

    @Test
    void anExternalDatabaseIsUsedWhenConfiguredAndNothingIsStartedLocally() throws Exception {
        Path externalDir = TestDataDirs.fresh("external-server");
        Path appDataDir = TestDataDirs.fresh("external-app");
        try (EmbeddedPostgresServer external = EmbeddedPostgresServer.start(externalDir, Map.of("shared_buffers", "32MB"))) {
            Map<String, Object> props = Map.of(
                    "dossier.data-dir", appDataDir.toString(),
                    "dossier.db.url", external.jdbcUrl(),
                    "dossier.db.user", external.user(),
                    "dossier.db.password", external.password());
            long externe;
            try (ConfigurableApplicationContext app = start(props)) {
                Api desk = api(app).as("frontdesk", DemoAccounts.PASSWORD);
                Api.Response created = desk.post("/api/patients", PatientJson.registration(1, PatientJson.valid("Externe", "Eva")));
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                externe = created.json().get("id").asLong();
            }
            try (var c = java.sql.DriverManager.getConnection(external.jdbcUrl(), external.user(), external.password());
                 var rs = c.createStatement().executeQuery("select count(*) from patient where id = " + externe
                         // written in the external database, and sealed there (V57)
                         + " and birth_family_name is null and sealed_birth_family_name is not null")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertThat(Files.exists(appDataDir.resolve("postgres"))).as("no embedded cluster when external").isFalse();
        }
    }

    @Test
    void aSecondServerCannotTakeOverADataDirectoryInUse() {
        Path dataDir = TestDataDirs.fresh("busy");
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dataDir, Map.of("shared_buffers", "32MB"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir, Map.of()))
                    .hasMessageContaining("Another Dossier server");
            try (var c = java.sql.DriverManager.getConnection(first.jdbcUrl(), first.user(), first.password())) {
                assertThat(c.isValid(2)).as("the first server still runs").isTrue();
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void healthIsDownWhileTheDatabaseIsUnreachable() {
        Path externalDir = TestDataDirs.fresh("health-server");
        EmbeddedPostgresServer external = EmbeddedPostgresServer.start(externalDir, Map.of("shared_buffers", "32MB"));
        Map<String, Object> props = Map.of(
                "dossier.data-dir", TestDataDirs.fresh("health-app").toString(),
                "dossier.db.url", external.jdbcUrl(),
                "dossier.db.user", external.user(),
                "dossier.db.password", external.password(),
                "dossier.demo.enabled", "false");
        try (ConfigurableApplicationContext app = start(props)) {
            Api anonymous = api(app);
            assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
            external.close();
            Api.Response down = anonymous.get("/actuator/health");
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.json().get("status").asString()).isEqualTo("DOWN");
        } finally {
            external.close();
        }
    }

    private static ConfigurableApplicationContext start(Map<String, Object> props) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of(
                "server.port", "0",
                "dossier.demo.patients", "50",
                "dossier.demo.clinic-days-behind", "0",
                "dossier.demo.clinic-days-ahead", "0",
                "dossier.db.embedded.shared-buffers", "32MB"));
        all.putAll(props);
        // command-line arguments outrank application.yaml, as a deployment's environment would
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(DossierApplication.class).run(args);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private static Api api(ConfigurableApplicationContext context) {
        return Api.anonymous(port(context));
    }
}
