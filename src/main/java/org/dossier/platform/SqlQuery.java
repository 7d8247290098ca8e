package org.dossier.platform;

import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;

/**
 * One query as its owner wrote it — its SQL, its parameters in order, and how its rows become records — kept apart from
 * when it runs: now, on the owner's {@link JdbcClient} ({@link #run}), or later with other modules' queries in one round
 * trip ({@link QueryBatch#add}). The module that owns the table writes the query; whoever runs it never sees inside.
 */
public record SqlQuery<T>(String sql, List<Object> params, ResultSetExtractor<T> rows) {

    public SqlQuery {
        if (sql.indexOf(';') >= 0) {
            throw new IllegalArgumentException("one statement per query: " + sql);
        }
        params = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(params));
    }

    /** A query whose rows map one by one to a list. */
    public static <R> SqlQuery<List<R>> list(String sql, RowMapper<R> row, Object... params) {
        return new SqlQuery<>(sql, java.util.Arrays.asList(params), new RowMapperResultSetExtractor<>(row));
    }

    /** Runs the query on its own (one round trip). */
    public T run(JdbcClient jdbc) {
        return jdbc.sql(sql).params(params).query(rows);
    }
}
