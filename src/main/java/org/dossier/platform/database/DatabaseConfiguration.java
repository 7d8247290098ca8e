package org.dossier.platform.database;

import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Primary;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import org.dossier.platform.DatabaseAvailability;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.Map;

/**
 * One PostgreSQL, chosen at start: the external server named by {@code DOSSIER_DB_URL}, or else the
 * embedded one whose cluster lives in {@code DOSSIER_DATA_DIR} (default {@code ./data}).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    /**
     * What PostgreSQL may write to its log, which sits in the data directory a backup copies and is sealed by nothing
     * (issue 22): an error without its DETAIL, which for a refused row is the whole row in clear ("Failing row contains
     * (...)"); no statement logged for itself, and a statement logged on error or for its duration without its parameters
     * (the values). The embedded server runs with these; an external one must too (ops/cluster/up.sh sets them for
     * Patroni, {@code PostgresLogSettingsTest} checks it; docs/operations.md).
     */
    static final Map<String, String> LOG_SETTINGS = Map.of(
            "log_error_verbosity", "terse",
            "log_statement", "none",
            "log_parameter_max_length", "0",
            "log_parameter_max_length_on_error", "0");

    @Bean(destroyMethod = "close")
    EmbeddedPostgresHolder embeddedPostgres(@Value("${dossier.db.url:}") String url,
                                            @Value("${dossier.data-dir}") String dataDir,
                                            @Value("${dossier.db.embedded.shared-buffers:256MB}") String sharedBuffers,
                                            @Value("${dossier.db.embedded.preload-libraries:}") String preloadLibraries) {
        if (!url.isBlank()) {
            return new EmbeddedPostgresHolder(null);
        }
        // Settings a hospital would use on a small dedicated machine; durability is never relaxed.
        Map<String, String> settings = new java.util.LinkedHashMap<>(Map.of(
                "shared_buffers", sharedBuffers,
                // After a crash PostgreSQL first flushes the whole cluster; one syncfs instead of an fsync per file makes
                // the supervisor's restart seconds faster (docs/decisions/0021-supervised-database.md).
                "recovery_init_sync_method", "syncfs",
                "work_mem", "16MB",
                "maintenance_work_mem", "256MB",
                "max_wal_size", "2GB",
                "checkpoint_timeout", "15min",
                "random_page_cost", "1.1",
                "effective_cache_size", "4GB"));
        settings.putAll(LOG_SETTINGS);
        if (!preloadLibraries.isBlank()) {
            // For measurement only: bench/http.sh loads pg_stat_statements to count the statements of each request.
            settings.put("shared_preload_libraries", preloadLibraries);
        }
        return new EmbeddedPostgresHolder(EmbeddedPostgresServer.start(Path.of(dataDir), settings));
    }

    /**
     * Watches the database and, when it is the embedded one, starts it again if it dies (docs/decisions/0021).
     * Its health is the component {@code db} of /actuator/health (replacing Spring Boot's, which waits on the pool).
     */
    @Bean
    DatabaseSupervisor databaseSupervisor(EmbeddedPostgresHolder embedded, DatabaseAvailability availability,
                                          @Value("${dossier.db.url:}") String url,
                                          @Value("${dossier.db.user:}") String user,
                                          @Value("${dossier.db.password:}") String password) {
        EmbeddedPostgresServer server = embedded.server();
        return server != null
                ? new DatabaseSupervisor(server, availability, server.jdbcUrl(), server.user(), server.password())
                : new DatabaseSupervisor(null, availability, url, user.isBlank() ? null : user, password.isBlank() ? null : password);
    }

    @Bean
    org.springframework.boot.health.contributor.HealthIndicator dbHealthIndicator(DatabaseAvailability availability,
                                                                               DatabaseSupervisor supervisor) {
        return new DatabaseHealth(availability, supervisor);
    }

    /**
     * Every pool's use in the metrics ({@code hikaricp_connections_active/idle/pending/max}, acquire and usage times, tagged
     * by pool: dossier, dossier-side, dossier-accounts, dossier-owner). Spring Boot binds only the pools it sees as
     * DataSource beans; the side and accounts pools are not, so each pool the supervisor watches is bound here, as Boot
     * does it (a pool already bound is left alone).
     */
    @Bean
    io.micrometer.core.instrument.binder.MeterBinder poolMetrics(DatabaseSupervisor supervisor) {
        return registry -> supervisor.pools().forEach(pool -> {
            if (pool.getMetricRegistry() == null && pool.getMetricsTrackerFactory() == null) {
                pool.setMetricsTrackerFactory(new com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory(registry));
            }
        });
    }

    /**
     * Whether the database serves, as the supervisor sees it ({@code dossier_database_available} 1 or 0, and how long the
     * outage has lasted): the same fact as readiness, for the alerts. No query: the supervisor's state.
     */
    @Bean
    io.micrometer.core.instrument.binder.MeterBinder databaseMetrics(DatabaseAvailability availability) {
        return registry -> {
            io.micrometer.core.instrument.Gauge.builder("dossier.database.available", availability, a -> a.isUp() ? 1 : 0)
                    .description("1 while the database serves, 0 during an outage (every request then answers 503)").register(registry);
            io.micrometer.core.instrument.Gauge.builder("dossier.database.outage", availability, a -> a.downFor().toMillis() / 1000.0)
                    .baseUnit("seconds").description("How long the current outage has lasted (0 when none)").register(registry);
        };
    }

    /**
     * The owner's connections: migrations and bulk loads (which drop and rebuild indexes) only. The owner is not
     * subject to row-level security, so nothing that serves a user runs on it.
     */
    @Bean(destroyMethod = "close")
    @FlywayDataSource
    @Qualifier("owner")
    DataSource ownerDataSource(EmbeddedPostgresHolder embedded, DatabaseSupervisor supervisor,
                                     @Value("${dossier.db.url:}") String url,
                                     @Value("${dossier.db.user:}") String user,
                                     @Value("${dossier.db.password:}") String password) {
        HikariConfig config = base("dossier-owner", 4);
        EmbeddedPostgresServer server = embedded.server();
        if (server != null) {
            config.setJdbcUrl(server.jdbcUrl());
            config.setUsername(server.user());
            config.setPassword(server.password());
        } else {
            config.setJdbcUrl(url);
            config.setUsername(user.isBlank() ? null : user);
            config.setPassword(password.isBlank() ? null : password);
            log.info("Using the external PostgreSQL at {}", url);
        }
        config.setMinimumIdle(0);
        return supervisor.watch(new HikariDataSource(config));
    }

    /** The external database's logins, as configured (all blank with the embedded server). */
    record Logins(String url, String user, String password, String appUser, String appPassword) {
    }

    @Bean
    Logins databaseLogins(@Value("${dossier.db.url:}") String url,
                          @Value("${dossier.db.user:}") String user,
                          @Value("${dossier.db.password:}") String password,
                          @Value("${dossier.db.app-user:}") String appUser,
                          @Value("${dossier.db.app-password:}") String appPassword) {
        return new Logins(url, user, password, appUser, appPassword);
    }

    /**
     * The application's connections, as the role {@code dossier_app}: neither superuser nor owner, so PostgreSQL's
     * row-level security confines every query to the facilities of the request's actor (see {@link ScopedDataSource}).
     * Externally, give that role's login with DOSSIER_DB_APP_USER/PASSWORD; without it the owner's login is used with
     * {@code SET ROLE dossier_app}, which the migrations allow.
     */
    @Bean(destroyMethod = "")
    @Primary
    DataSource dataSource(EmbeddedPostgresHolder embedded, DatabaseSupervisor supervisor, DatabaseAvailability availability,
                          Logins logins, @Value("${dossier.db.pool-size:16}") int poolSize) {
        HikariConfig config = applicationPool("dossier", poolSize, embedded, logins);
        if (embedded.server() == null && logins.appUser().isBlank()) {
            log.warn("DOSSIER_DB_APP_USER is not set: the application uses the owner's login with SET ROLE {}; give it its own login "
                    + "role in production", EmbeddedPostgresServer.APP_ROLE);
        }
        return new ClosingScopedDataSource(supervisor.watch(new HikariDataSource(config)), availability);
    }

    /**
     * The guard's and the audit writer's connections (see {@link org.dossier.platform.SideConnections}): the same
     * login and facility scope as the main pool, a few connections that requests never hold while they wait.
     */
    @Bean(destroyMethod = "close")
    org.dossier.platform.SideConnections sideConnections(EmbeddedPostgresHolder embedded, DatabaseSupervisor supervisor,
                                                         DatabaseAvailability availability, Logins logins,
                                                         @Value("${dossier.db.side-pool-size:4}") int poolSize) {
        return new org.dossier.platform.SideConnections(smallPool("dossier-side", poolSize, embedded, supervisor, availability, logins));
    }

    /** Who is calling, read before the request has a facility scope (see {@link org.dossier.platform.AccountConnections}). */
    @Bean(destroyMethod = "close")
    org.dossier.platform.AccountConnections accountConnections(EmbeddedPostgresHolder embedded, DatabaseSupervisor supervisor,
                                                               DatabaseAvailability availability, Logins logins,
                                                               @Value("${dossier.db.accounts-pool-size:5}") int poolSize) {
        return new org.dossier.platform.AccountConnections(smallPool("dossier-accounts", poolSize, embedded, supervisor, availability,
                logins));
    }

    /** A pool of a few of the application role's connections, opened only when needed. */
    private static ClosingScopedDataSource smallPool(String name, int poolSize, EmbeddedPostgresHolder embedded,
                                                     DatabaseSupervisor supervisor, DatabaseAvailability availability, Logins logins) {
        HikariConfig config = applicationPool(name, poolSize, embedded, logins);
        config.setMinimumIdle(0);
        return new ClosingScopedDataSource(supervisor.watch(new HikariDataSource(config)), availability);
    }

    /** A pool of the application role's connections (see {@link #dataSource}). */
    private static HikariConfig applicationPool(String name, int poolSize, EmbeddedPostgresHolder embedded, Logins logins) {
        HikariConfig config = base(name, poolSize);
        EmbeddedPostgresServer server = embedded.server();
        String init = "set lock_timeout = '15s'";
        if (server != null) {
            config.setJdbcUrl(server.jdbcUrl());
            config.setUsername(EmbeddedPostgresServer.APP_ROLE);
            config.setPassword(server.appPassword());
        } else if (!logins.appUser().isBlank()) {
            config.setJdbcUrl(logins.url());
            config.setUsername(logins.appUser());
            config.setPassword(logins.appPassword().isBlank() ? null : logins.appPassword());
        } else {
            config.setJdbcUrl(logins.url());
            config.setUsername(logins.user().isBlank() ? null : logins.user());
            config.setPassword(logins.password().isBlank() ? null : logins.password());
            init = init + "; set role " + EmbeddedPostgresServer.APP_ROLE;
        }
        config.setConnectionInitSql(init);
        // No connection at start: the first one comes after the migrations (which may create the role it sets).
        config.setInitializationFailTimeout(-1);
        return config;
    }

    private static HikariConfig base(String name, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(5_000);
        // No request waits on a row lock forever: a hidden lock cycle becomes an error instead of a hang.
        config.setConnectionInitSql("set lock_timeout = '15s'");
        // A refused row (constraint, not-null) comes back without the server's DETAIL ("Failing row contains (...)"):
        // the row may hold a patient's words, and the exception goes to the server log (issue 22).
        config.addDataSourceProperty("logServerErrorDetail", "false");
        return config;
    }

    /** Closes the pool with the context. */
    static final class ClosingScopedDataSource extends ScopedDataSource implements AutoCloseable {
        private final HikariDataSource pool;

        ClosingScopedDataSource(HikariDataSource pool, DatabaseAvailability availability) {
            super(pool, availability);
            this.pool = pool;
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /** The embedded server, or none when an external database is configured. */
    record EmbeddedPostgresHolder(EmbeddedPostgresServer server) implements AutoCloseable {
        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }
}
