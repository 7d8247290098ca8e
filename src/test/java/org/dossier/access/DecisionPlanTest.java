package org.dossier.access;

import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.platform.FacilityScope;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request that shows a patient runs the decision's statement, so PostgreSQL must run it from one cached generic
 * plan, not plan it again at each call. Its plan cache chooses a custom plan per call when the generic plan's
 * estimated cost is higher; with {@code patient_facts} and {@code portal_facts} estimated at PostgreSQL's default of
 * 1,000 rows it always was, and planning cost more than running (about 480 µs against 180 µs per read, ADR 0061). Read
 * from {@code pg_prepared_statements} on the application's own pool, as the application role under row-level security.
 */
class DecisionPlanTest extends IntegrationTest {

    @Autowired
    DataSource application;

    @Autowired
    OrganizationService organization;

    @AfterEach
    void clearScope() {
        FacilityScope.clear();
    }

    @Test
    void theDecisionRunsFromACachedGenericPlan() throws Exception {
        long patient = fixtures().patientInCare();
        Actor physician = Actor.of(organization.staffByUsername("physician").orElseThrow(), null, "127.0.0.1", "test",
                Actor.Channel.SYSTEM, null);
        FacilityScope.set(physician.facilityIds());
        Instant now = Instant.now();
        var parameters = AccessRepository.decisionParameters(patient, physician.staffId(), null, physician.unitIds(),
                physician.facilityIds(), false, now, new CareLinks.WorkDays(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))),
                true, false);
        try (Connection connection = application.getConnection()) {
            var template = new NamedParameterJdbcTemplate(new SingleConnectionDataSource(connection, true));
            for (int i = 0; i < 20; i++) {
                // pgJDBC prepares the statement on the server from its fifth run; PostgreSQL plans its first five
                // executions there for their values, then keeps the generic plan if it is not dearer.
                assertThat(template.queryForList(AccessRepository.DECISION, parameters)).hasSize(1);
            }
            try (var s = connection.prepareStatement("select generic_plans, custom_plans from pg_prepared_statements"
                    + " where statement like '%patient_facts(%' and statement like '%care_relationship(%'");
                 ResultSet plans = s.executeQuery()) {
                assertThat(plans.next()).as("the decision is prepared on the server").isTrue();
                assertThat(plans.getLong("generic_plans")).as("executions from the generic plan (custom: %d)",
                        plans.getLong("custom_plans")).isGreaterThanOrEqualTo(10);
            }
        }
    }

    @Test
    void theOneRowFunctionsItReadsDeclareOneRow() {
        // A function returning a patient's single row, declared as 1,000 rows, is what made the generic plan look dear.
        assertThat(jdbc.sql("select proname || '=' || prorows from pg_proc where proname in ('patient_facts', 'portal_facts') order by 1")
                .query(String.class).list()).containsExactly("patient_facts=1", "portal_facts=1");
    }
}
