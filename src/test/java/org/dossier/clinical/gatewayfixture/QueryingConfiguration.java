package org.dossier.clinical.gatewayfixture;

import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A configuration class that queries instead of only passing the SQL client on. Abstract: Spring skips it. */
@Configuration
public abstract class QueryingConfiguration {

    Long allergies(JdbcClient jdbc) {
        return jdbc.sql("select count(*) from allergy").query(Long.class).single();
    }
}
