package org.dossier.care.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.care.Inpatient;
import org.dossier.care.Stay;
import org.dossier.care.StayService;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.VersionLog;
import org.dossier.platform.Versions;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;

@RestController
@RequestMapping("/api")
@Tag(name = "Stays", description = "Admission, transfer, discharge, and where every inpatient is")
class StayController {

    private final StayService stays;

    StayController(StayService stays) {
        this.stays = stays;
    }

    record Transfer(Integer version, Integer unitId, String bed, Long attendingId, Instant at, String reason) {
    }

    record Discharge(Integer version, Instant at, String destination, String reason) {
    }

    record Cancel(Integer version, String reason) {
    }

    @PostMapping("/stays")
    @Operation(summary = "Admit a patient (or open an emergency visit)")
    ResponseEntity<Stay> admit(Actor actor, @RequestBody StayService.Admission body) {
        Stay stay = stays.admit(actor, body);
        return ResponseEntity.created(URI.create("/api/stays/" + stay.id())).body(stay);
    }

    @GetMapping("/stays/{id}")
    Stay read(Actor actor, @PathVariable long id) {
        return stays.read(actor, id);
    }

    @GetMapping("/stays/{id}/history")
    List<VersionLog.Version<Stay>> history(Actor actor, @PathVariable long id) {
        return stays.history(actor, id);
    }

    @PostMapping("/stays/{id}/transfer")
    @Operation(summary = "Move the patient to another unit or bed (needs version and reason)")
    Stay transfer(Actor actor, @PathVariable long id, @RequestBody Transfer body) {
        return stays.transfer(actor, id, Versions.required(body.version()), body.unitId(), body.bed(), body.attendingId(), body.at(), body.reason());
    }

    @PostMapping("/stays/{id}/discharge")
    Stay discharge(Actor actor, @PathVariable long id, @RequestBody Discharge body) {
        return stays.discharge(actor, id, Versions.required(body.version()), body.at(), body.destination(), body.reason());
    }

    @PostMapping("/stays/{id}/cancel")
    @Operation(summary = "Mark a stay entered in error (it is kept, with its history)")
    Stay cancel(Actor actor, @PathVariable long id, @RequestBody Cancel body) {
        return stays.cancel(actor, id, Versions.required(body.version()), body.reason());
    }

    @GetMapping("/patients/{id}/stays")
    List<Stay> ofPatient(Actor actor, @PathVariable long id) {
        return stays.ofPatient(actor, id);
    }

    @GetMapping("/inpatients")
    @Operation(summary = "Patients currently in the given units (default: the caller's units)")
    List<Inpatient> census(Actor actor, @RequestParam(required = false) Set<Integer> unitId) {
        return stays.census(actor, unitId == null || unitId.isEmpty() ? actor.unitIds() : unitId).items();
    }

}
