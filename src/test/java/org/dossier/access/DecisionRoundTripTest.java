package org.dossier.access;

import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.FacilityScope;
import org.dossier.support.IntegrationTest;
import org.dossier.support.StatementCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A decision reads everything it weighs — the patient, the flags, the care relationship or the desk's work — in one
 * statement on the request's connection (ADR 0032), whatever it decides; the guard's charge and the audit entry go on
 * the side pool. Counted by {@link StatementCounter} against the real database.
 */
class DecisionRoundTripTest extends IntegrationTest {

    @Autowired
    AccessGateway gateway;

    @Autowired
    OrganizationService organization;

    @AfterEach
    void clearScope() {
        FacilityScope.clear();
    }

    private Actor actor(String username) {
        Actor actor = Actor.of(organization.staffByUsername(username).orElseThrow(), null, "127.0.0.1", "test", Actor.Channel.SYSTEM, null);
        FacilityScope.set(actor.facilityIds());
        return actor;
    }

    @Test
    void aClinicianWithARelationshipIsDecidedInOneStatement() {
        long patient = fixtures().patientInCare();
        Actor physician = actor("physician");
        StatementCounter.reset();
        PatientAccess access = gateway.openChart(physician, patient);
        assertThat(StatementCounter.count()).isEqualTo(1);
        assertThat(access.reasonCode()).isEqualTo(AuditReason.CARE_TEAM.name());
    }

    @Test
    void theFrontDeskIsDecidedInOneStatementWithItsWork() {
        long patient = fixtures().patient();
        Actor desk = actor("frontdesk");
        StatementCounter.reset();
        PatientAccess access = gateway.read(desk, patient, Section.IDENTITY, AuditResource.Patient, patient);
        assertThat(StatementCounter.count()).isEqualTo(1);
        assertThat(access.sections()).contains(Section.IDENTITY);
    }

    @Test
    void aRefusalIsDecidedInOneStatementToo() {
        long patient = fixtures().patient();
        Actor physician = actor("physician");
        StatementCounter.reset();
        assertThatThrownBy(() -> gateway.openChart(physician, patient)).isInstanceOf(ForbiddenException.class);
        assertThat(StatementCounter.count()).isEqualTo(1);
    }
}
