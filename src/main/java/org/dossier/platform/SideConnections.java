package org.dossier.platform;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

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

    public SideConnections(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = JdbcClient.create(dataSource);
        this.transactions = new DataSourceTransactionManager(dataSource);
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
