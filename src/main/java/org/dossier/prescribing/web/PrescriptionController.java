package org.dossier.prescribing.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.VersionLog;
import org.dossier.platform.Versions;
import org.dossier.prescribing.MedicationOrder;
import org.dossier.prescribing.PrescriptionService;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

@RestController
@RequestMapping("/api")
@Tag(name = "Prescriptions", description = "Medication orders, checked against allergies")
class PrescriptionController {

    private final PrescriptionService prescriptions;

    PrescriptionController(PrescriptionService prescriptions) {
        this.prescriptions = prescriptions;
    }

    record Closing(Integer version, String reason) {
    }

    record Renewal(Integer version, Integer durationDays, String allergyOverrideReason) {
    }

    @PostMapping("/patients/{id}/prescriptions")
    @Operation(summary = "Prescribe", description = "409 allergy-conflict lists the matching allergies; "
            + "send allergyOverrideReason to prescribe anyway, which is recorded.")
    ResponseEntity<MedicationOrder> prescribe(Actor actor, @PathVariable long id, @RequestBody PrescriptionService.OrderInput body) {
        MedicationOrder o = prescriptions.prescribe(actor, id, body);
        return ResponseEntity.created(URI.create("/api/prescriptions/" + o.id())).body(o);
    }

    @GetMapping("/patients/{id}/prescriptions")
    @Operation(summary = "The patient's prescription history (or activeOnly=true)")
    List<MedicationOrder> ofPatient(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "false") boolean activeOnly) {
        return prescriptions.ofPatient(actor, id, activeOnly);
    }

    @GetMapping("/prescriptions/{id}")
    MedicationOrder read(Actor actor, @PathVariable long id) {
        return prescriptions.read(actor, id);
    }

    @GetMapping("/prescriptions/{id}/history")
    List<VersionLog.Version<MedicationOrder>> history(Actor actor, @PathVariable long id) {
        return prescriptions.history(actor, id);
    }

    @PostMapping("/prescriptions/{id}/renew")
    ResponseEntity<MedicationOrder> renew(Actor actor, @PathVariable long id, @RequestBody Renewal body) {
        MedicationOrder o = prescriptions.renew(actor, id, Versions.required(body.version()), body.durationDays(), body.allergyOverrideReason());
        return ResponseEntity.created(URI.create("/api/prescriptions/" + o.id())).body(o);
    }

    @PostMapping("/prescriptions/{id}/stop")
    MedicationOrder stop(Actor actor, @PathVariable long id, @RequestBody Closing body) {
        return prescriptions.stop(actor, id, Versions.required(body.version()), body.reason());
    }

    @PostMapping("/prescriptions/{id}/complete")
    MedicationOrder complete(Actor actor, @PathVariable long id, @RequestBody Closing body) {
        return prescriptions.complete(actor, id, Versions.required(body.version()));
    }

    @PostMapping("/prescriptions/{id}/entered-in-error")
    MedicationOrder inError(Actor actor, @PathVariable long id, @RequestBody Closing body) {
        return prescriptions.markEnteredInError(actor, id, Versions.required(body.version()), body.reason());
    }

}
