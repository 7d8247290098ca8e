package org.dossier.care.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.care.Appointment;
import org.dossier.care.Schedule;
import org.dossier.care.SchedulingService;
import org.dossier.organization.Actor;
import org.dossier.platform.Versions;
import org.dossier.platform.VersionLog;
import org.springframework.format.annotation.DateTimeFormat;
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
import java.time.LocalDate;
import java.util.List;


@RestController
@RequestMapping("/api")
@Tag(name = "Scheduling", description = "Practitioners' opening hours, free slots and appointments")
class SchedulingController {

    private final SchedulingService scheduling;

    SchedulingController(SchedulingService scheduling) {
        this.scheduling = scheduling;
    }

    record Booking(Long patientId, Long practitionerId, Instant startAt, String reason) {
    }

    record Move(Integer version, Instant startAt, Long practitionerId, String reason) {
    }

    record StatusChange(Integer version, String reason) {
    }

    @PostMapping("/practitioners/{id}/schedules")
    @Operation(summary = "Add opening hours to a practitioner's schedule (the practitioner, FRONT_DESK or ADMIN)")
    ResponseEntity<Schedule> addSchedule(Actor actor, @PathVariable long id, @RequestBody SchedulingService.ScheduleRequest body) {
        return ResponseEntity.status(201).body(scheduling.addSchedule(actor, id, body));
    }

    @GetMapping("/practitioners/{id}/schedules")
    List<Schedule> schedules(Actor actor, @PathVariable long id) {
        return scheduling.schedules(actor, id);
    }

    @GetMapping("/practitioners/{id}/slots")
    @Operation(summary = "Every slot of a practitioner's day, free or taken")
    List<SchedulingService.Slot> slots(Actor actor, @PathVariable long id,
                                       @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate date) {
        return scheduling.slots(actor, id, date);
    }

    @GetMapping("/practitioners/{id}/appointments")
    @Operation(summary = "A practitioner's appointments between two dates (at most 31 days)")
    List<Appointment> agenda(Actor actor, @PathVariable long id,
                             @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
        return scheduling.agenda(actor, id, from, to == null ? from : to).items();
    }

    @PostMapping("/appointments")
    @Operation(summary = "Book a free slot; a taken slot is refused with 409")
    ResponseEntity<Appointment> book(Actor actor, @RequestBody Booking body) {
        Appointment a = scheduling.book(actor, body.patientId(), body.practitionerId(), body.startAt(), body.reason());
        return ResponseEntity.created(URI.create("/api/appointments/" + a.id())).body(a);
    }

    @GetMapping("/appointments/{id}")
    Appointment read(Actor actor, @PathVariable long id) {
        return scheduling.read(actor, id);
    }

    @GetMapping("/appointments/{id}/history")
    List<VersionLog.Version<Appointment>> history(Actor actor, @PathVariable long id) {
        return scheduling.history(actor, id);
    }

    @PostMapping("/appointments/{id}/reschedule")
    @Operation(summary = "Move an appointment to another slot; the old one is kept as RESCHEDULED")
    ResponseEntity<Appointment> reschedule(Actor actor, @PathVariable long id, @RequestBody Move body) {
        Appointment a = scheduling.reschedule(actor, id, Versions.required(body.version()), body.startAt(), body.practitionerId(), body.reason());
        return ResponseEntity.created(URI.create("/api/appointments/" + a.id())).body(a);
    }

    @PostMapping("/appointments/{id}/cancel")
    Appointment cancel(Actor actor, @PathVariable long id, @RequestBody StatusChange body) {
        return scheduling.cancel(actor, id, Versions.required(body.version()), body.reason());
    }

    @PostMapping("/appointments/{id}/no-show")
    Appointment noShow(Actor actor, @PathVariable long id, @RequestBody StatusChange body) {
        return scheduling.markNoShow(actor, id, Versions.required(body.version()));
    }

    @PostMapping("/appointments/{id}/complete")
    Appointment complete(Actor actor, @PathVariable long id, @RequestBody StatusChange body) {
        return scheduling.complete(actor, id, Versions.required(body.version()));
    }

    @GetMapping("/patients/{id}/appointments")
    List<Appointment> ofPatient(Actor actor, @PathVariable long id) {
        return scheduling.ofPatient(actor, id);
    }
}
