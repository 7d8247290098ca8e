package org.dossier.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.dossier.platform.DatabaseAvailability;
import org.dossier.platform.FacilityScope;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Hands out pooled connections that carry the current thread's facility scope in the session setting
 * {@code dossier.facilities}, which the row-level security policies read. The setting is sent only when a
 * connection's last scope differs, so a steady stream of requests from one facility costs no round trip.
 *
 * <p>While the database is down (see {@link DatabaseAvailability}) no one waits for a connection: the call fails at
 * once, and a caller already waiting gives up within a quarter of a second of the outage being seen, instead of
 * after the pool's whole connection timeout.
 */
class ScopedDataSource extends DelegatingDataSource {

    /** Physical connection → the scope it carries now. Weak keys: a connection the pool retires is forgotten. */
    private final Map<Connection, String> carried = Collections.synchronizedMap(new WeakHashMap<>());

    /** How long one wait for a pooled connection lasts before the database's availability is looked at again. */
    private static final long SLICE_MILLIS = 250;

    private final HikariDataSource pool;
    private final DatabaseAvailability availability;

    ScopedDataSource(HikariDataSource pool, DatabaseAvailability availability) {
        super(pool);
        this.pool = pool;
        this.availability = availability;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return scoped(pooled());
    }

    /** A connection within the pool's timeout, waited for in slices so that an outage ends the wait. */
    private Connection pooled() throws SQLException {
        if (!availability.isUp()) {
            throw unavailable(null);
        }
        if (pool.isClosed() || !(pool.getHikariPoolMXBean() instanceof HikariPool hikari)) {
            return pool.getConnection();
        }
        long deadline = System.nanoTime() + pool.getConnectionTimeout() * 1_000_000;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            try {
                return hikari.getConnection(Math.max(1, Math.min(SLICE_MILLIS, left)));
            } catch (SQLTransientConnectionException e) {
                if (!availability.isUp()) {
                    throw unavailable(e);
                }
                if (left <= SLICE_MILLIS) {
                    throw e;
                }
            }
        }
    }

    private static SQLTransientConnectionException unavailable(Throwable cause) {
        return new SQLTransientConnectionException("The database is unavailable", "08001", cause);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return scoped(super.getConnection(username, password));
    }

    private Connection scoped(Connection connection) throws SQLException {
        String wanted = FacilityScope.current();
        Connection physical = connection.unwrap(org.postgresql.PGConnection.class) instanceof Connection c ? c : connection;
        if (!wanted.equals(carried.get(physical))) {
            try (PreparedStatement s = connection.prepareStatement("select set_config('dossier.facilities', ?, false)")) {
                s.setString(1, wanted);
                s.execute();
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
            carried.put(physical, wanted);
        }
        return connection;
    }
}
