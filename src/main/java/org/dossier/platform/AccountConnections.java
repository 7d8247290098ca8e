package org.dossier.platform;

import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;

/**
 * A small pool of its own for reading who is calling before the request has an actor: a bearer token and its account.
 * That read runs with no facility scope; on the main pool it would reset a connection's scope and the request's next
 * statement would set it back — two round trips per request (BENCHMARKS.md, issue 21). These connections never carry
 * a facility scope, so they never see a patient row. Same role as the main pool.
 */
public final class AccountConnections implements AutoCloseable {

    private final DataSource dataSource;
    private final JdbcClient jdbc;

    public AccountConnections(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = JdbcClient.create(dataSource);
    }

    /** Statements in autocommit, each on a connection of this pool. */
    public JdbcClient jdbc() {
        return jdbc;
    }

    /** Closes the pool with the application. */
    @Override
    public void close() throws Exception {
        if (dataSource instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
