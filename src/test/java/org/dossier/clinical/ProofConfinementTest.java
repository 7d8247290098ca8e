package org.dossier.clinical;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.platform.FacilityScope;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.VersionLog;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A clinical repository reads and writes only what the gateway's proof covers, in the real database: a record id of
 * patient B, handed to a statement with a proof about patient A, finds nothing and changes nothing, and a proof that
 * does not cover the clinical section reads no clinical row at all. Both patients are of the same facility, so the
 * database's row-level security (the second wall) lets the statements see both: only the proof tells them apart.
 */
class ProofConfinementTest extends IntegrationTest {

    @Autowired
    AccessGateway gateway;
    @Autowired
    OrganizationService organization;
    @Autowired
    ClinicalRepository repository;
    @Autowired
    AllergyService allergies;
    @Autowired
    @Qualifier("clinicalVersions")
    VersionLog versions;

    /** The nurse as the server resolves her for a request: her facilities are the connection's scope. */
    private Actor nurse() {
        Actor nurse = Actor.of(organization.staffByUsername("nurse").orElseThrow(), null, "127.0.0.1", "test", Actor.Channel.SYSTEM, null);
        FacilityScope.set(nurse.facilityIds());
        return nurse;
    }

    @AfterEach
    void leaveTheScope() {
        FacilityScope.clear();
    }

    @Test
    void aRecordOfAnotherPatientIsNotFoundUnderAProofAboutThisOne() {
        long a = fixtures().patientInCare();
        long b = fixtures().patientInCare();
        long ofB = as("nurse").post("/api/patients/" + b + "/allergies", Map.of("substance", "Latex", "severity", "SEVERE")).json()
                .get("id").asLong();
        Actor nurse = nurse();
        PatientAccess proofOfA = gateway.read(nurse, a, Section.CLINICAL, AuditResource.Allergy, null);
        PatientAccess proofOfB = gateway.read(nurse, b, Section.CLINICAL, AuditResource.Allergy, null);

        assertThat(repository.allergy(proofOfB, ofB)).as("its own patient's proof reads it").isPresent();
        assertThat(repository.allergy(proofOfA, ofB)).as("another patient's proof finds nothing").isEmpty();
        assertThat(allergies.ofPatient(proofOfA, false)).extracting(Allergy::id).doesNotContain(ofB);
        assertThat(versions.history("allergy", ofB, a, Allergy.class)).as("nor its history").isEmpty();
        assertThat(versions.history("allergy", ofB, b, Allergy.class)).hasSize(1);

        assertThat(repository.updateAllergy(proofOfA, ofB, 1, "Pollen", null, null, Allergy.Severity.MILD, Allergy.Kind.ALLERGY,
                Allergy.Status.ACTIVE, java.time.Instant.now())).as("nor changes it").isFalse();
        assertThat(repository.allergy(proofOfB, ofB).orElseThrow().substance()).isEqualTo("Latex");
    }

    @Test
    void aProofThatDoesNotCoverTheClinicalSectionReadsNoClinicalRow() {
        long a = fixtures().patientInCare();
        Actor nurse = nurse();
        PatientAccess identityOnly = gateway.read(nurse, a, Section.IDENTITY, AuditResource.Patient, a);

        assertThatThrownBy(() -> repository.allergies(identityOnly, false)).isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> repository.notes(identityOnly, 10)).isInstanceOf(ForbiddenException.class);
    }
}
