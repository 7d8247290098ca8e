package org.dossier.platform.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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

    @Bean(destroyMethod = "close")
    EmbeddedPostgresHolder embeddedPostgres(@Value("${dossier.db.url:}") String url,
                                            @Value("${dossier.data-dir}") String dataDir,
                                            @Value("${dossier.db.embedded.shared-buffers:256MB}") String sharedBuffers) {
        if (!url.isBlank()) {
            return new EmbeddedPostgresHolder(null);
        }
        // Settings a hospital would use on a small dedicated machine; durability is never relaxed.
        Map<String, String> settings = Map.of(
                "shared_buffers", sharedBuffers,
                "work_mem", "16MB",
                "maintenance_work_mem", "256MB",
                "max_wal_size", "2GB",
                "checkpoint_timeout", "15min",
                "random_page_cost", "1.1",
                "effective_cache_size", "4GB");
        return new EmbeddedPostgresHolder(EmbeddedPostgresServer.start(Path.of(dataDir), settings));
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(EmbeddedPostgresHolder embedded,
                          @Value("${dossier.db.url:}") String url,
                          @Value("${dossier.db.user:}") String user,
                          @Value("${dossier.db.password:}") String password,
                          @Value("${dossier.db.pool-size:16}") int poolSize) {
        HikariConfig config = new HikariConfig();
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
        config.setPoolName("dossier");
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(5_000);
        // No request waits on a row lock forever: a hidden lock cycle becomes an error instead of a hang.
        config.setConnectionInitSql("set lock_timeout = '15s'");
        return new HikariDataSource(config);
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
