package org.dossier.clinical.gatewayfixture;

import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A repository of patient data in a patient module, some of whose methods answer without a proof. Abstract: Spring skips it. */
@Repository
public abstract class UnprovenRepository {

    /** Identifiers only: allowed. */
    public record Owner(long patientId, int facilityId) {
    }

    /** More than identifiers. */
    public record Titled(long patientId, String title) {
    }

    public String allergy(PatientAccess access, long id) {
        return "confined by the proof";
    }

    @Locates
    public Optional<Long> patientOfNote(long id) {
        return Optional.empty();
    }

    @Locates
    Map<Long, List<Integer>> facilitiesOfPatients(List<Long> ids) {
        return Map.of();
    }

    /** A status: a closed set of codes. */
    public enum Status { CURRENT, ENTERED_IN_ERROR }

    @Locates
    public Map<Long, Status> statusOfNotes(List<Long> ids) {
        return Map.of();
    }

    @Locates
    public Optional<Owner> ownerOfNote(long id) {
        return Optional.empty();
    }

    public String note(long id) {
        return "read with no decision";
    }

    @Locates
    public String titleOfNote(long id) {
        return "content before the decision";
    }

    @Locates
    public Optional<List<String>> namesOfPatient(long id) {
        return Optional.empty();
    }

    @Locates
    public Optional<Titled> titledNote(long id) {
        return Optional.empty();
    }

    private String helper() {
        return "private methods are the class's own business";
    }
}
