package org.dossier.clinical.gatewayfixture;

import org.springframework.jdbc.core.simple.JdbcClient;

/** A service that queries patient tables itself instead of through a repository. */
public abstract class SqlService {

    private final JdbcClient jdbc;

    protected SqlService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public long count() {
        return jdbc.sql("select count(*) from allergy").query(Long.class).single();
    }
}
