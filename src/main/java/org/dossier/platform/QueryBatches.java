package org.dossier.platform;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.stereotype.Component;

/** Starts {@link QueryBatch}es on the main pool's connections (the thread's transaction and facility scope). */
@Component
public class QueryBatches {

    private final JdbcOperations jdbc;

    QueryBatches(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    public QueryBatch start() {
        return new QueryBatch(jdbc);
    }
}
