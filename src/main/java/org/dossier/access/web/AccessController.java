package org.dossier.access.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.access.BreakGlass;
import org.dossier.access.BreakGlassGrant;
import org.dossier.access.Erasures;
import org.dossier.access.KeyRotations;
import org.dossier.access.PatientErasure;
import org.dossier.access.Restriction;
import org.dossier.access.Restrictions;
import org.dossier.audit.AuditReports;
import org.dossier.organization.Actor;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.crypto.DataKeyRotation;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

@RestController
@Tag(name = "Access", description = "Break-the-glass, its review, restricted records, the patient's access report")
class AccessController {

    private final BreakGlass breakGlass;
    private final Restrictions restrictions;
    private final Erasures erasures;
    private final KeyRotations keyRotations;

    AccessController(BreakGlass breakGlass, Restrictions restrictions, Erasures erasures, KeyRotations keyRotations) {
        this.breakGlass = breakGlass;
        this.restrictions = restrictions;
        this.erasures = erasures;
        this.keyRotations = keyRotations;
    }

    @PostMapping("/api/access/data-keys/{facilityId}/rotation")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Rotate a facility's data key: new values at once, existing ones re-encrypted in the background"
            + " (administrator or security officer of the facility, fresh second factor)")
    DataKeyRotation.Progress rotateDataKey(Actor actor, @PathVariable int facilityId) {
        return keyRotations.rotate(actor, facilityId);
    }

    @GetMapping("/api/access/data-keys/rotations/{rotationId}")
    @Operation(summary = "How far a data-key rotation's re-encryption is (administrator or security officer)")
    DataKeyRotation.Progress dataKeyRotation(Actor actor, @PathVariable long rotationId) {
        return keyRotations.progress(actor, rotationId);
    }

    record ErasureRequest(PatientErasure.Ground ground) {
    }

    @PostMapping("/api/patients/{patientId}/erasure")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Ask for a patient's data to be crypto-shredded, naming the ground (security officer, fresh second factor;"
            + " another person confirms)")
    PatientErasure askErasure(Actor actor, @PathVariable long patientId, @RequestBody ErasureRequest r) {
        return erasures.request(actor, patientId, r == null ? null : r.ground());
    }

    @PostMapping("/api/access/erasures/{erasureId}/confirm")
    @Operation(summary = "Confirm an erasure: the patient's key is shredded, for good (another security officer or an administrator"
            + " of the facility, never the one who asked; fresh second factor)")
    PatientErasure confirmErasure(Actor actor, @PathVariable long erasureId) {
        return erasures.confirm(actor, erasureId);
    }

    @PostMapping("/api/access/erasures/{erasureId}/withdraw")
    @Operation(summary = "Withdraw an erasure not confirmed yet (security officer or administrator; fresh second factor)")
    PatientErasure withdrawErasure(Actor actor, @PathVariable long erasureId) {
        return erasures.withdraw(actor, erasureId);
    }

    @GetMapping("/api/access/erasures")
    @Operation(summary = "The erasure register of one's facilities (security officer): patient ids, grounds, who asked and confirmed, when")
    List<PatientErasure> erasureRegister(Actor actor, @RequestParam(defaultValue = "false") boolean pending) {
        return erasures.register(actor, pending);
    }

    record BreakGlassRequest(BreakGlassGrant.Reason reason, String justification) {
    }

    @PostMapping("/api/patients/{patientId}/break-glass")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Open a patient's record in an emergency (physician, nurse; fresh second factor; reviewed)")
    BreakGlassGrant breakGlass(Actor actor, @PathVariable long patientId, @RequestBody BreakGlassRequest r) {
        return breakGlass.breakGlass(actor, patientId, r.reason(), r.justification());
    }

    @GetMapping("/api/access/break-glass")
    @Operation(summary = "The break-the-glass review queue, oldest first (security officer); pending=false lists reviewed ones too")
    List<BreakGlassGrant> reviewQueue(Actor actor, @RequestParam(defaultValue = "true") boolean pending) {
        return breakGlass.reviewQueue(actor, pending);
    }

    record Review(BreakGlassGrant.Outcome outcome, String comment) {
    }

    @PostMapping("/api/access/break-glass/{grantId}/review")
    @Operation(summary = "Record the review of a break-the-glass access (security officer)")
    BreakGlassGrant review(Actor actor, @PathVariable long grantId, @RequestBody Review r) {
        return breakGlass.review(actor, grantId, r.outcome(), r.comment());
    }

    record RestrictionRequest(Restriction.Kind kind, Long staffId, String reason) {
    }

    @PutMapping("/api/patients/{patientId}/restriction")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Restrict a record: a colleague who is a patient, or a patient who asked (security officer, fresh second factor)")
    Restriction restrict(Actor actor, @PathVariable long patientId, @RequestBody RestrictionRequest r) {
        return restrictions.restrict(actor, patientId, r.kind(), r.staffId(), r.reason());
    }

    @GetMapping("/api/patients/{patientId}/restriction")
    @Operation(summary = "The restriction of a record, if any (security officer)")
    Restriction restriction(Actor actor, @PathVariable long patientId) {
        return restrictions.restriction(actor, patientId).orElseThrow(() -> new NotFoundException("Patient " + patientId + " has no restriction"));
    }

    record LiftRequest(String reason) {
    }

    /*
     * The reason travels in the body: a query string reaches the proxies' access logs (issue 22). The query parameter
     * `reason` of earlier versions is refused with 400 before this is reached (web.InputFilter), rather than kept for a
     * release: each such call would have written the reason to those logs.
     */
    @DeleteMapping(path = "/api/patients/{patientId}/restriction")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Lift a restriction, with the reason (security officer, fresh second factor)",
            description = "The reason goes in the body, `{\"reason\": \"…\"}` (or a form field `reason`), never in the address:"
                    + " `?reason=` is refused with 400 (words-in-address), since addresses reach proxies' access logs.")
    void lift(Actor actor, @PathVariable long patientId, @RequestBody(required = false) LiftRequest r) {
        restrictions.lift(actor, patientId, r == null ? null : r.reason());
    }

    @DeleteMapping(path = "/api/patients/{patientId}/restriction", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Lift a restriction, the reason as a form field", description = "As the JSON form, for an HTML form's body.")
    void liftByForm(Actor actor, @PathVariable long patientId, @RequestParam(defaultValue = "") String reason) {
        restrictions.lift(actor, patientId, reason);
    }

    @GetMapping("/api/patients/{patientId}/access-report")
    @Operation(summary = "What the patient is told of the accesses to their record: when, why, what, by which kind of staff")
    List<AuditReports.AccessForPatient> accessReport(Actor actor, @PathVariable long patientId) {
        return restrictions.accessReportForThePatient(actor, patientId);
    }
}
