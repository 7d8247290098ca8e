package org.dossier.platform.bulk;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * Runs a bulk load of generated data in one transaction with COPY, and writes the matching first
 * versions into a module's version table. Used by the modules' write-only bulk loaders.
 */
@Component
public class BulkLoad {

    private final DataSource dataSource;
    private final TransactionTemplate transaction;
    private final JsonMapper json;

    /** On the owner's connections: rebuilding indexes needs the owner, and the server's own load sees every facility. */
    BulkLoad(@Qualifier("owner") DataSource dataSource, JsonMapper json) {
        this.dataSource = dataSource;
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.json = json;
    }

    /** The work of one load, given the transaction's connection. */
    @FunctionalInterface
    public interface Work {
        void run(Session session) throws SQLException;
    }

    /** One load in progress: COPY into tables, then move identity sequences past the loaded ids. */
    public final class Session {
        private final Connection connection;

        private Session(Connection connection) {
            this.connection = connection;
        }

        /** The load's connection, for the statements a load needs besides COPY (reading a counter, moving it). */
        public Connection connection() {
            return connection;
        }

        public BulkCopy copy(String table, String... columns) throws SQLException {
            return BulkCopy.into(connection, table, List.of(columns));
        }

        /** A version-table writer: each call records version {@code version} of one record as JSON. */
        public VersionCopy versions(String table) throws SQLException {
            return new VersionCopy(copy(table, "entity_type", "entity_id", "version", "facility_id", "patient_id", "recorded_at",
                    "author_id", "reason", "snapshot"));
        }

        /**
         * A writer of a version table with a {@code sealed_snapshot} column: each snapshot is sealed with its patient's key
         * as a {@code VersionLog} made with a cipher does. The caller seals, on every core if it likes, then adds the rows ({@link VersionCopy#addSealed})
         * in order.
         */
        public VersionCopy sealedVersions(String table) throws SQLException {
            return new VersionCopy(copy(table, "entity_type", "entity_id", "version", "facility_id", "patient_id", "recorded_at",
                    "author_id", "reason", "sealed_snapshot"));
        }

        /** Moves a named sequence to at least {@code value}, so that later inserts do not collide with loaded ids. */
        public void advanceSequenceTo(String sequence, long value) throws SQLException {
            if (!sequence.matches("[a-z_]+")) {
                throw new IllegalArgumentException("not a sequence name");
            }
            try (Statement s = connection.createStatement()) {
                s.execute("select setval('" + sequence + "', greatest(" + value + ", (select last_value from " + sequence + ")))");
            }
        }

        /**
         * Drops the secondary indexes of {@code tables} (those that back no constraint), runs {@code work}, and
         * builds them again: building an index over loaded rows is several times faster than maintaining it row
         * by row. For loads into empty tables only.
         */
        public void withIndexesBuiltAfter(List<String> tables, Work work) throws SQLException {
            List<String> definitions = new java.util.ArrayList<>();
            try (Statement s = connection.createStatement()) {
                for (String table : tables) {
                    if (!table.matches("[a-z_]+")) {
                        throw new IllegalArgumentException("not a table name");
                    }
                    try (var rs = s.executeQuery("""
                            select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
                              from pg_index i
                             where i.indrelid = '%s'::regclass and not i.indisprimary
                               and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)""".formatted(table))) {
                        while (rs.next()) {
                            definitions.add(rs.getString("definition"));
                            try (Statement drop = connection.createStatement()) {
                                drop.execute("drop index " + rs.getString("name"));
                            }
                        }
                    }
                }
            }
            work.run(this);
            try (Statement s = connection.createStatement()) {
                s.execute("set local maintenance_work_mem = '512MB'");
                for (String definition : definitions) {
                    s.execute(definition);
                }
                // Fresh statistics, or the planner keeps believing the tables empty.
                for (String table : tables) {
                    s.execute("analyze " + table);
                }
            }
        }

        public void advanceSequence(String table, String column) throws SQLException {
            try (Statement s = connection.createStatement()) {
                s.execute("select setval(pg_get_serial_sequence('" + table + "', '" + column + "'), (select coalesce(max(" + column
                        + "), 1) from " + table + "))");
            }
        }
    }

    /** Writes version rows with COPY. */
    public final class VersionCopy implements AutoCloseable {
        private final BulkCopy copy;

        private VersionCopy(BulkCopy copy) {
            this.copy = copy;
        }

        public void add(String entityType, long entityId, int version, int facilityId, long patientId, Instant at, Long authorId,
                        String reason, Object snapshot) throws SQLException {
            copy.row(entityType, entityId, version, facilityId, patientId, at, authorId, reason, json.writeValueAsString(snapshot));
        }

        /** Adds a version whose snapshot was sealed already (a {@link Session#sealedVersions} writer). */
        public void addSealed(String entityType, long entityId, int version, int facilityId, long patientId, Instant at, Long authorId,
                              String reason, byte[] sealedSnapshot) throws SQLException {
            copy.row(entityType, entityId, version, facilityId, patientId, at, authorId, reason, sealedSnapshot);
        }

        @Override
        public void close() throws SQLException {
            copy.close();
        }
    }

    public void run(Work work) {
        transaction.executeWithoutResult(tx -> {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
                try (Statement s = connection.createStatement()) {
                    // Regenerable demo data: a crash mid-load loses nothing that cannot be generated again.
                    s.execute("set local synchronous_commit = off");
                }
                work.run(new Session(connection));
            } catch (SQLException e) {
                throw new IllegalStateException("Bulk load failed: " + e.getMessage(), e);
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        });
    }
}
