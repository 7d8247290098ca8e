package org.dossier.platform.database;

import org.dossier.platform.FacilityScope;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Hands out pooled connections that carry the current thread's facility scope in the session setting
 * {@code dossier.facilities}, which the row-level security policies read. The setting is sent only when a
 * connection's last scope differs, so a steady stream of requests from one facility costs no round trip.
 */
class ScopedDataSource extends DelegatingDataSource {

    /** Physical connection → the scope it carries now. Weak keys: a connection the pool retires is forgotten. */
    private final Map<Connection, String> carried = Collections.synchronizedMap(new WeakHashMap<>());

    ScopedDataSource(DataSource pool) {
        super(pool);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return scoped(super.getConnection());
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
