package org.dossier.platform;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.PreparedStatementCallback;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Queries of several modules sent to PostgreSQL together: their SQL joined into one statement text, prepared once, and
 * executed once. pgJDBC splits such a text into its statements and sends each one's Parse, Bind and Execute followed by
 * a single Sync, so the whole batch costs one round trip, then hands back one result set per statement in order
 * ({@code getMoreResults}). The queries run on the thread's connection, in its transaction and under its facility scope
 * (row-level security applies to each one exactly as if it ran alone). Not thread-safe; run once. See
 * docs/decisions/0043-a-chart-read-in-one-round-trip.md.
 */
public final class QueryBatch {

    private final JdbcOperations jdbc;
    private final List<Part<?>> parts = new ArrayList<>();
    private boolean ran;

    QueryBatch(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds a query to the batch; its answer is there once {@link #run} has returned. */
    public <T> Deferred<T> add(SqlQuery<T> query) {
        if (ran) {
            throw new IllegalStateException("this batch has already run");
        }
        Part<T> part = new Part<>(query);
        parts.add(part);
        return part;
    }

    /** Sends every query added, in one round trip, and reads each one's rows with its own extractor. */
    public void run() {
        if (ran) {
            throw new IllegalStateException("this batch has already run");
        }
        ran = true;
        if (parts.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        List<Object> params = new ArrayList<>();
        for (Part<?> p : parts) {
            sql.append(sql.isEmpty() ? "" : ";\n").append(p.query.sql());
            p.query.params().forEach(v -> params.add(typed(v)));
        }
        jdbc.execute(sql.toString(), (PreparedStatementCallback<Void>) ps -> {
            new ArgumentPreparedStatementSetter(params.toArray()).setValues(ps);
            read(ps, ps.execute());
            return null;
        });
    }

    /**
     * A time bound as {@code timestamptz}, not as pgJDBC binds a {@link Timestamp} (type left for the server to infer):
     * a statement with a parameter of unknown type is described by pgJDBC once it is prepared on the server, and pgJDBC
     * then sends a Sync before any described statement whose rows it cannot bound (a text column), which would split the
     * batch into two round trips. The schema's patient data is {@code timestamptz} throughout, so the value compares the
     * same.
     */
    private static Object typed(Object value) {
        return value instanceof Timestamp t ? t.toInstant().atOffset(ZoneOffset.UTC) : value;
    }

    private void read(PreparedStatement ps, boolean first) throws SQLException {
        boolean rows = first;
        for (int i = 0; i < parts.size(); i++) {
            if (!rows) {
                throw new IllegalStateException("query " + (i + 1) + " of the batch answered no rows: " + parts.get(i).query.sql());
            }
            try (ResultSet rs = ps.getResultSet()) {
                parts.get(i).take(rs);
            }
            rows = ps.getMoreResults();
        }
    }

    private static final class Part<T> implements Deferred<T> {
        private final SqlQuery<T> query;
        private boolean done;
        private T answer;

        Part(SqlQuery<T> query) {
            this.query = query;
        }

        void take(ResultSet rs) throws SQLException {
            answer = query.rows().extractData(rs);
            done = true;
        }

        @Override
        public T get() {
            if (!done) {
                throw new IllegalStateException("the batch holding this query has not run");
            }
            return answer;
        }
    }
}
