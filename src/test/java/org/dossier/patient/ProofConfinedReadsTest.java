package org.dossier.patient;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FacilityScope;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dossier.support.PatientJson.registration;
import static org.dossier.support.PatientJson.valid;

/**
 * The patient repository reads only what the proof it takes covers, in its SQL: run over every facility (the database's
 * own facility wall opened as for the server's jobs), a search permit of a facility-1 actor still finds no facility-2
 * patient, and a one-patient proof reads no other patient's record.
 */
class ProofConfinedReadsTest extends IntegrationTest {

    @Autowired
    PatientRepository patients;

    @Autowired
    AccessGateway gateway;

    /** A front-desk actor of facility 1 only, as the server's own thread (so that the guard's rate counters are left alone). */
    private Actor frontDeskOfFacility1() {
        long staffId = jdbc.sql("select id from staff where username = 'frontdesk'").query(Long.class).single();
        return new Actor(staffId, "frontdesk", Set.of(Role.FRONT_DESK), Set.of(1), Set.of(), null, "127.0.0.1", "test",
                Actor.Channel.SYSTEM, null);
    }

    @Test
    void aSearchPermitOfOneFacilityNeverReadsAnotherFacilitysPatientEvenWhenTheQueryMatchesIt() {
        Map<String, Object> person = valid("Prouvé-Confinée", "Aurélie");
        long here = as("frontdesk").post("/api/patients", registration(1, person)).json().get("id").asLong();
        long there = as("physician.sud").post("/api/patients", registration(2, person)).json().get("id").asLong();
        String ins = (String) person.get("insMatricule");
        assertThat(patientsWhere(i -> ins.equals(i.insMatricule()))).as("both records match the query").hasSize(2);

        SearchPermit permit = gateway.permitSearch(frontDeskOfFacility1(), AuditResource.Patient);
        FacilityScope.asSystem(() -> {
            assertThat(ids(patients.searchByIns(permit, null, ins, 20))).containsExactly(here);
            assertThat(ids(patients.searchByName(permit, null, NameKeys.of("Prouvé-Confinée"), PatientSearchQuery.Match.PREFIX,
                    NameKeys.of("Aurélie"), PatientSearchQuery.Match.PREFIX, null, null, null, null, null, 20))).containsExactly(here);
            assertThat(patients.searchByIns(permit, 2, ins, 20)).as("asking for the other facility reads nothing").isEmpty();
            assertThat(patients.activeWithIns(permit, 2, ins)).isEmpty();
            assertThat(patients.labels(permit, null, List.of(here, there))).extracting(PatientLabel::id).containsExactly(here);
        });
        assertThat(there).isNotEqualTo(here);
    }

    @Test
    void aProofOfOnePatientReadsThatPatientsRecordAndHistoryOnly() {
        long first = as("frontdesk").post("/api/patients", registration(1, valid("Unique-Preuve", "Bérénice"))).json().get("id").asLong();
        long second = as("frontdesk").post("/api/patients", registration(1, valid("Autre-Preuve", "Clothilde"))).json().get("id").asLong();
        Actor desk = frontDeskOfFacility1();
        PatientAccess access = gateway.read(desk, first, AuditResource.Patient, first, Section.IDENTITY);
        FacilityScope.asSystem(() -> {
            assertThat(patients.find(access)).get().extracting(Patient::id).isEqualTo(first);
            assertThat(patients.history(access, 10)).extracting(PatientVersion::patientId).containsOnly(first);
        });
        assertThat(count("patient_version where patient_id = " + second)).as("the other record has a history too").isPositive();
    }

    private static List<Long> ids(List<PatientSearchResult> results) {
        return results.stream().map(PatientSearchResult::id).toList();
    }
}
