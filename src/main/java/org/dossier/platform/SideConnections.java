package org.dossier.platform;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A small pool of its own for the work a request waits on while it holds a connection of the main pool: the
 * guard's counters and the audit trail's writer. Were they served by the main pool, a burst of requests could hold
 * every main connection while each waits for one more, and time out together (measured under 32 concurrent chart
 * reads: every request failed). Same role and facility scope as the main pool.
 */
public final class SideConnections implements AutoCloseable {

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final DataSourceTransactionManager transactions;
    private final SQLExceptionTranslator translator;

    public SideConnections(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = JdbcClient.create(dataSource);
        this.transactions = new DataSourceTransactionManager(dataSource);
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
    }

    /**
     * Runs work that is one statement on a connection of its own in autocommit: its commit costs no round trip of its
     * own, and — unlike {@link #jdbc()} inside a caller's transaction — the connection is never bound to that transaction,
     * so it goes back to the pool as soon as the work is done.
     */
    public <T> T autocommit(String task, ConnectionCallback<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.doInConnection(connection);
        } catch (SQLException e) {
            RuntimeException translated = translator.translate(task, null, e);
            throw translated != null ? translated : new IllegalStateException(task + " failed", e);
        }
    }

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

    /** A transaction on this pool, committed on its own whatever the caller's transaction does. */
    public TransactionTemplate newTransaction() {
        TransactionTemplate t = new TransactionTemplate(transactions);
        t.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        return t;
    }
}
