package org.dossier.platform;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A small pool of its own for reading who is calling before the request has an actor: a bearer token and its account.
 * That read runs with no facility scope; on the main pool it would reset a connection's scope and the request's next
 * statement would set it back — two round trips per request (BENCHMARKS.md, issue 21). These connections never carry
 * a facility scope, so they never see a patient row. Same role as the main pool.
 * <p>
 * It also keeps one connection listening for PostgreSQL notifications ({@link #listen}), so that what a node
 * remembers about accounts is forgotten when another node (or this one) changes them (ADR 0037).
 */
public final class AccountConnections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccountConnections.class);
    private static final Pattern CHANNEL = Pattern.compile("[a-z_]{1,63}");
    private static final long WAIT_MILLIS = 250;
    private static final long RETRY_MILLIS = 1_000;
    /**
     * A listening connection only reads: if the other end vanished without a word (the database's host crashed or
     * failed over to the same address, a firewall dropped the idle flow) it would wait for ever and hear nothing, and
     * the node would trust what it remembers. So it makes a round trip every second, which must come back within
     * {@link #ALIVE_TIMEOUT_MILLIS}: a silent connection is a lost one within about four seconds (DeafListenerTest).
     */
    private static final long HEARTBEAT_MILLIS = 1_000;
    private static final int ALIVE_TIMEOUT_MILLIS = 3_000;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final List<Thread> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public AccountConnections(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = JdbcClient.create(dataSource);
    }

    /** Statements in autocommit, each on a connection of this pool. */
    public JdbcClient jdbc() {
        return jdbc;
    }

    /** What a listener hears: each notification's payload, and every moment when some may have been missed. */
    public interface Listener {

        void notified(String payload);

        /**
         * The listening connection was lost ({@code listening} false: notifications may be missed from now on) or is
         * listening again ({@code listening} true: notifications sent before now may have been missed).
         */
        void gap(boolean listening);
    }

    /**
     * Listens on {@code channel} on a connection of this pool, on a thread of its own, for as long as the application
     * runs; a lost connection is opened again every second, and each loss and each return is told as a {@link
     * Listener#gap gap}. Notifications are delivered in commit order, after their transaction committed.
     */
    public void listen(String channel, Listener listener) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        Thread thread = new Thread(() -> listenLoop(channel, listener), "listen-" + channel);
        thread.setDaemon(true);
        listeners.add(thread);
        thread.start();
    }

    private void listenLoop(String channel, Listener listener) {
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                c.setNetworkTimeout(Runnable::run, ALIVE_TIMEOUT_MILLIS);
                try (Statement s = c.createStatement()) {
                    s.execute("listen " + channel);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                listener.gap(true);
                long lastRoundTrip = System.nanoTime();
                while (!closed) {
                    PGNotification[] received = pg.getNotifications((int) WAIT_MILLIS);
                    if (received != null) {
                        for (PGNotification n : received) {
                            listener.notified(n.getParameter());
                        }
                    }
                    if (c.isClosed()) {
                        throw new SQLException("the listening connection was closed");
                    }
                    if (System.nanoTime() - lastRoundTrip > HEARTBEAT_MILLIS * 1_000_000) {
                        try (Statement s = c.createStatement()) {
                            s.execute("select 1"); // fails within ALIVE_TIMEOUT_MILLIS if nobody answers
                        }
                        lastRoundTrip = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("Listening on {} was interrupted ({}); listening again in {} ms", channel, e.toString(), RETRY_MILLIS);
            } finally {
                listener.gap(false);
            }
            sleep(RETRY_MILLIS);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening and closes the pool with the application. */
    @Override
    public void close() throws Exception {
        closed = true;
        for (Thread t : listeners) {
            t.interrupt();
            t.join(2_000);
        }
        if (dataSource instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
