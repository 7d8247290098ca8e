package org.dossier.patient.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.organization.Actor;
import org.dossier.patient.DuplicateCandidate;
import org.dossier.patient.DuplicateReview;
import org.dossier.patient.Patient;
import org.dossier.patient.PatientData;
import org.dossier.patient.PatientMerge;
import org.dossier.patient.PatientSearchPage;
import org.dossier.patient.PatientSearchQuery;
import org.dossier.patient.PatientService;
import org.dossier.patient.PatientVersion;
import org.dossier.platform.InvalidInputException;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.LocalDate;
import java.util.List;

@RestController
@RequestMapping("/api")
@Tag(name = "Patients", description = "The patient registry: bounded search, registration, identity changes with history, duplicates and merges")
class PatientController {

    private final PatientService patients;

    PatientController(PatientService patients) {
        this.patients = patients;
    }

    record Registration(Integer facilityId, PatientData patient, boolean duplicatesReviewed) {
    }

    record Change(Integer version, String reason, PatientData patient) {
    }

    record DuplicateCheck(Integer facilityId, PatientData patient) {
    }

    record MergeRequest(Long mergedId, String reason) {
    }

    record Reason(String reason) {
    }

    @GetMapping("/patients")
    @Operation(summary = "Search patients (at most 20 results)",
            description = "Either a family-name prefix of at least 3 letters (birth or used name, accents and case ignored) "
                    + "with a birth date or the start of a given name, or an exact INS/NIR, or an exact IPP.")
    PatientSearchPage search(Actor actor,
                             @RequestParam(required = false) String name,
                             @RequestParam(required = false) String given,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate birthDate,
                             @RequestParam(required = false) String ins,
                             @RequestParam(required = false) String ipp,
                             @RequestParam(required = false) Integer facilityId) {
        return patients.search(actor, new PatientSearchQuery(name, given, birthDate, ins, ipp, facilityId));
    }

    @PostMapping("/patients")
    @Operation(summary = "Register a patient", description = "Answers 409 with the candidates when possible duplicates exist; "
            + "register again with duplicatesReviewed=true once they were checked. The same INS twice is always refused.")
    ResponseEntity<Patient> register(Actor actor, @RequestBody Registration body) {
        if (body.patient() == null) {
            throw new InvalidInputException("patient", "the patient record is required");
        }
        int facility = facilityOf(actor, body.facilityId());
        Patient created = patients.register(actor, facility, body.patient(), body.duplicatesReviewed());
        return ResponseEntity.created(URI.create("/api/patients/" + created.id())).body(created);
    }

    @PostMapping("/patients/duplicate-check")
    @Operation(summary = "List existing patients who may be the person described, without registering anything")
    List<DuplicateCandidate> duplicateCheck(Actor actor, @RequestBody DuplicateCheck body) {
        return patients.findDuplicates(actor, facilityOf(actor, body.facilityId()), body.patient());
    }

    @GetMapping("/patients/{id}")
    @Operation(summary = "Read a patient's identity, contacts and coverage")
    Patient read(Actor actor, @PathVariable long id) {
        return patients.read(actor, id);
    }

    @PutMapping("/patients/{id}")
    @Operation(summary = "Change a patient's record", description = "Creates a new version; needs the version you read and a reason.")
    Patient update(Actor actor, @PathVariable long id, @RequestBody Change body) {
        if (body.version() == null) {
            throw new InvalidInputException("version", "send the version you read, so that a concurrent change is not lost");
        }
        return patients.update(actor, id, body.version(), body.patient(), body.reason());
    }

    @GetMapping("/patients/{id}/history")
    @Operation(summary = "Every version of a patient's record, newest first")
    List<PatientVersion> history(Actor actor, @PathVariable long id) {
        return patients.history(actor, id);
    }

    @PostMapping("/patients/{id}/merge")
    @Operation(summary = "Merge a duplicate into this patient", description = "Both histories are kept; the merge can be undone.")
    ResponseEntity<PatientMerge> merge(Actor actor, @PathVariable long id, @RequestBody MergeRequest body) {
        if (body.mergedId() == null) {
            throw new InvalidInputException("mergedId", "name the duplicate to merge into this patient");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(patients.merge(actor, id, body.mergedId(), body.reason()));
    }

    @GetMapping("/patients/{id}/merges")
    @Operation(summary = "Merges this patient took part in")
    List<PatientMerge> merges(Actor actor, @PathVariable long id) {
        return patients.merges(actor, id);
    }

    @PostMapping("/patient-merges/{mergeId}/undo")
    @Operation(summary = "Undo a merge (unmerge): the duplicate becomes an active record again")
    PatientMerge unmerge(Actor actor, @PathVariable long mergeId, @RequestBody Reason body) {
        return patients.unmerge(actor, mergeId, body.reason());
    }

    @GetMapping("/duplicate-reviews")
    @Operation(summary = "Possible duplicates raised by imports, waiting for the front desk (FRONT_DESK; at most 20, oldest first)",
            description = "Merge the pair (POST /api/patients/{id}/merge closes the review) or dismiss it as two different people. "
                    + "Every patient named is audited like a search result.")
    List<DuplicateReview> duplicateReviews(Actor actor, @RequestParam(required = false) Integer facilityId) {
        return patients.duplicateReviews(actor, facilityId);
    }

    @PostMapping("/duplicate-reviews/{id}/dismiss")
    @Operation(summary = "Close a duplicate review: the two records are different people (a reason is required)")
    ResponseEntity<Void> dismissDuplicateReview(Actor actor, @PathVariable long id, @RequestBody Reason body) {
        patients.dismissDuplicateReview(actor, id, body == null ? null : body.reason());
        return ResponseEntity.noContent().build();
    }

    private static int facilityOf(Actor actor, Integer requested) {
        if (requested != null) {
            return requested;
        }
        if (actor.facilityIds().size() == 1) {
            return actor.facilityIds().iterator().next();
        }
        throw new InvalidInputException("facilityId", "you work in several facilities: say in which one to register");
    }
}
