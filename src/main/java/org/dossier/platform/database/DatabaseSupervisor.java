package org.dossier.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import org.dossier.platform.DatabaseAvailability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Notices within a tenth of a second that the embedded PostgreSQL's postmaster died, tells the rest of the server
 * (every request is then answered 503 at once), starts it again on the same cluster with a growing delay between
 * attempts, and, once it answers, lets the pools make fresh connections. For any database, embedded or external, a
 * probe connection also asks {@code select 1} every second, so that a server that stops answering is seen too.
 * See docs/decisions/0021-supervised-database.md.
 */
final class DatabaseSupervisor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DatabaseSupervisor.class);
    private static final long CHECK_EVERY_MILLIS = 100;
    private static final long PROBE_EVERY_MILLIS = 1_000;
    private static final long PROBE_DOWN_EVERY_MILLIS = 250;
    /** Two probes in a row must fail before an external database is taken for gone: one slow answer under load is not. */
    private static final int PROBE_FAILURES_FOR_DOWN = 2;
    /** After this many failed restarts the outage is shown as failing: a person is needed (disk full, binaries gone…). */
    static final int FAILING_AFTER = 5;
    private static final Duration MAX_DELAY = Duration.ofSeconds(30);

    private final EmbeddedPostgresServer server;
    private final DatabaseAvailability availability;
    private final String url;
    private final String user;
    private final String password;
    private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private Thread thread;
    private Connection probe;
    private int probeFailures;

    DatabaseSupervisor(EmbeddedPostgresServer server, DatabaseAvailability availability, String url, String user, String password) {
        this.server = server;
        this.availability = availability;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** The pools it watches: every pool of the server (the metrics find them here). */
    List<HikariDataSource> pools() {
        return List.copyOf(pools);
    }

    /** A pool whose connections are dropped when the database goes and comes back. */
    HikariDataSource watch(HikariDataSource pool) {
        pools.add(pool);
        return pool;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::watchLoop, "database-supervisor");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeProbe();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops before the pools and the embedded server close (at the context's end, after every phase), and starts after
     * they exist; after the web server and the audit writer (a lower phase stops later), so that the database is still
     * watched while a graceful shutdown finishes the requests under way.
     */
    @Override
    public int getPhase() {
        return org.springframework.boot.web.server.context.WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 100;
    }

    private void watchLoop() {
        long nextProbe = 0;
        while (running) {
            try {
                if (server != null && !server.postmasterAlive()) {
                    recoverEmbedded();
                    nextProbe = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (now - nextProbe >= 0) {
                    probeOnce();
                    nextProbe = now + (availability.isUp() ? PROBE_EVERY_MILLIS : PROBE_DOWN_EVERY_MILLIS) * 1_000_000;
                }
                Thread.sleep(CHECK_EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Database supervisor: unexpected failure; watching on", e);
            }
        }
    }

    /** One probe; its result moves the availability only after repeated failures, or on the first success after an outage. */
    private void probeOnce() {
        String failure = probeFailure();
        if (failure == null) {
            probeFailures = 0;
            if (!availability.isUp()) {
                Duration down = availability.downFor();
                markUp();
                log.warn("The database answers again after {} ms; serving again", down.toMillis());
            }
            return;
        }
        probeFailures++;
        if (availability.isUp() && probeFailures >= PROBE_FAILURES_FOR_DOWN) {
            log.error("The database does not answer ({}); answering 503 until it does", failure);
            markDown("the database does not answer: " + failure);
        }
    }

    /**
     * Whether the database answers {@code select 1} now (health's question): an outage the supervisor already saw is
     * answered without asking, and a question costs at most about a second (connect timeout, query timeout).
     */
    boolean answersNow() {
        return availability.isUp() && probeFailure() == null;
    }

    /** Null when {@code select 1} answered on the probe connection; else why not. */
    private synchronized String probeFailure() {
        try {
            if (probe == null || probe.isClosed()) {
                probe = connect();
            }
            try (Statement s = probe.createStatement()) {
                s.setQueryTimeout(1);
                s.execute("select 1");
            }
            return null;
        } catch (SQLException e) {
            closeProbe();
            return e.getMessage();
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        // Never wait longer than the probe's cadence allows: a connection that cannot be made in a second is a failure.
        p.setProperty("connectTimeout", "1");
        p.setProperty("loginTimeout", "2");
        p.setProperty("socketTimeout", "3");
        p.setProperty("ApplicationName", "dossier-supervisor");
        return DriverManager.getConnection(url, p);
    }

    private synchronized void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException ignored) {
                // already broken
            }
            probe = null;
        }
    }

    /**
     * The postmaster is gone: refuse requests, clear what it left and start it again until it answers, waiting 0.5, 1,
     * 2, 4 … up to 30 s between attempts.
     */
    private void recoverEmbedded() throws InterruptedException {
        long lost = System.nanoTime();
        long pid = server.postmasterPid();
        log.error("The embedded PostgreSQL stopped (postmaster PID {} is gone); answering 503 while it is restarted", pid);
        markDown("the embedded PostgreSQL stopped (postmaster PID " + pid + " is gone); restarting it");
        closeProbe();
        for (int attempt = 1; running; attempt++) {
            String failure;
            try {
                long start = System.nanoTime();
                server.restart();
                failure = awaitAnswer(Duration.ofSeconds(30));
                if (failure == null) {
                    markUp();
                    log.warn("The embedded PostgreSQL is back (attempt {}, crash recovery and start {} ms, postmaster PID {}): "
                                    + "serving again after {} ms unavailable", attempt, (System.nanoTime() - start) / 1_000_000,
                            server.postmasterPid(), (System.nanoTime() - lost) / 1_000_000);
                    return;
                }
            } catch (RuntimeException e) {
                failure = e.getMessage();
            }
            long delay = Math.min(MAX_DELAY.toMillis(), 500L << Math.min(attempt - 1, 10));
            boolean failing = attempt >= FAILING_AFTER;
            availability.restartFailed("the embedded PostgreSQL does not start again: " + firstLine(failure), attempt, failing);
            log.error("Restart {} of the embedded PostgreSQL failed: {}; next attempt in {} ms{}", attempt, failure, delay,
                    failing ? " — the database stays down until this is fixed; see " + server.logFile() : "");
            Thread.sleep(delay);
        }
    }

    /** Null once the restarted server answers {@code select 1}; else the last failure after the time allowed. */
    private String awaitAnswer(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String failure;
        do {
            failure = probeFailure();
            if (failure == null || !server.postmasterAlive()) {
                return failure == null ? null : "the postmaster died again while starting";
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return failure;
    }

    private void markDown(String reason) {
        availability.down(reason);
        // Pooled connections lead to the dead server: each is dropped when next borrowed or given back.
        pools.forEach(DatabaseSupervisor::evict);
    }

    private void markUp() {
        // No eviction here: no connection could be made while the server was gone, and those made since are good.
        probeFailures = 0;
        availability.up();
    }

    private static void evict(HikariDataSource pool) {
        if (!pool.isClosed() && pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown";
        }
        int cut = s.indexOf('\n');
        return cut < 0 ? s : s.substring(0, cut);
    }
}
