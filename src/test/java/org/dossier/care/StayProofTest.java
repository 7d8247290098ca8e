package org.dossier.care;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FacilityScope;
import org.dossier.support.Fixtures;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stay is read under the proof of its own patient only: with the database's facility wall open, the proof of one
 * patient reads none of another patient's stays, even by the other stay's exact id, and changes none of them.
 */
class StayProofTest extends IntegrationTest {

    @Autowired
    StayRepository stays;

    @Autowired
    AccessGateway gateway;

    @Test
    void aProofOfOnePatientNeverReadsOrChangesAnotherPatientsStay() {
        Fixtures f = fixtures();
        long mine = f.patientInCare();
        long other = f.patientInCare();
        long otherStay = as("frontdesk").post("/api/stays", StayTest.admission(other, f.unit(1, "CARDIO"), f.staffId("physician")))
                .json().get("id").asLong();
        Actor physician = new Actor(f.staffId("physician"), "physician", Set.of(Role.PHYSICIAN), Set.of(1), Set.of(), null, "127.0.0.1",
                "test", Actor.Channel.SYSTEM, null);
        FacilityScope.asSystem(() -> {
            PatientAccess access = gateway.read(physician, mine, Section.ENCOUNTERS, AuditResource.Stay, null);
            assertThat(stays.patientOfStay(otherStay)).hasValue(other);
            assertThat(stays.find(access, otherStay)).as("another patient's stay, by its id").isEmpty();
            assertThat(stays.ofPatient(access, 10)).isEmpty();
            assertThat(stays.update(access, otherStay, 1, StayStatus.CANCELLED, null, f.staffId("physician"), null,
                    java.time.Instant.now())).as("nor changed").isFalse();
        });
        assertThat(jdbc.sql("select status from stay where id = ?").param(otherStay).query(String.class).single()).isEqualTo("ACTIVE");
    }
}
