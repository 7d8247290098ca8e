package org.dossier.care.web;

import org.dossier.access.Listing;
import org.dossier.care.Appointment;
import org.dossier.care.SchedulingService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.patient.PatientLabel;
import org.dossier.patient.PatientService;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A practitioner's day or week: the free slots to book into and the appointments to move or cancel. The front desk
 * works on any practitioner of its facilities; a physician sees their own. Booking names the patient by number,
 * as found by the patient search or the chart's "book" link.
 */
@Controller
class SchedulePages {

    private final SchedulingService scheduling;
    private final OrganizationService organization;
    private final PatientService patients;
    private final Clock clock;

    SchedulePages(SchedulingService scheduling, OrganizationService organization, PatientService patients, Clock clock) {
        this.scheduling = scheduling;
        this.organization = organization;
        this.patients = patients;
        this.clock = clock;
    }

    @GetMapping("/schedule")
    String schedule(Actor actor, @RequestParam(required = false) Long practitioner, @RequestParam(required = false) String who,
                    @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate date,
                    @RequestParam(defaultValue = "day") String view, @RequestParam(required = false) Long patient, Model model) {
        LocalDate day = date != null ? date : LocalDate.now(clock.withZone(scheduling.zone()));
        boolean frontDesk = actor.hasRole(Role.FRONT_DESK);
        Long shown = practitioner != null ? practitioner : frontDesk ? null : actor.staffId();
        model.addAttribute("day", day);
        model.addAttribute("view", view);
        model.addAttribute("patient", patient);
        model.addAttribute("who", who);
        model.addAttribute("frontDesk", frontDesk);
        if (frontDesk && who != null && who.strip().length() >= 2) {
            model.addAttribute("practitioners", actor.facilityIds().stream()
                    .flatMap(f -> organization.searchStaff(who.strip(), f, Role.PHYSICIAN).stream()).distinct().toList());
        }
        if (shown == null) {
            return "care/schedule";
        }
        StaffMember practitionerMember = organization.staffMember(shown);
        model.addAttribute("practitioner", practitionerMember);
        LocalDate from = view.equals("week") ? day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) : day;
        LocalDate to = view.equals("week") ? from.plusDays(6) : day;
        Listing.Of<Appointment> agenda = scheduling.agenda(actor, shown, from, to);
        Map<Long, PatientLabel> labels = patients.labels(agenda.listing());
        Map<LocalDate, List<Appointment>> byDay = new TreeMap<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            byDay.put(d, new java.util.ArrayList<>());
        }
        agenda.items().forEach(a -> byDay.computeIfAbsent(a.startAt().atZone(scheduling.zone()).toLocalDate(), k -> new java.util.ArrayList<>()).add(a));
        model.addAttribute("byDay", byDay);
        model.addAttribute("labels", labels);
        model.addAttribute("from", from);
        model.addAttribute("to", to);
        if (view.equals("day")) {
            model.addAttribute("slots", scheduling.slots(actor, shown, day));
            model.addAttribute("now", clock.instant());
        }
        return "care/schedule";
    }

    @PostMapping("/schedule/book")
    String book(Actor actor, @RequestParam long practitioner, @RequestParam(required = false) Long patient, @RequestParam Instant startAt,
                @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        LocalDate day = startAt.atZone(scheduling.zone()).toLocalDate();
        try {
            if (patient == null) {
                throw new InvalidInputException("patient", "name the patient: open their chart and use \"book\", or type their number");
            }
            scheduling.book(actor, patient, practitioner, startAt, reason);
            redirect.addFlashAttribute("notice", "appointment.booked");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/schedule?practitioner=" + practitioner + "&date=" + day + (patient == null ? "" : "&patient=" + patient);
    }

    @PostMapping("/appointments/{id}/move")
    String move(Actor actor, @PathVariable long id, @RequestParam int version,
                @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime newStart,
                @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        Appointment before = scheduling.read(actor, id);
        try {
            scheduling.reschedule(actor, id, version, newStart.atZone(scheduling.zone()).toInstant(), null, reason);
            redirect.addFlashAttribute("notice", "appointment.moved");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/schedule?practitioner=" + before.practitionerId() + "&date=" + newStart.toLocalDate();
    }

    @PostMapping("/appointments/{id}/cancel")
    String cancel(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam(defaultValue = "") String reason,
                  RedirectAttributes redirect) {
        Appointment before = scheduling.read(actor, id);
        try {
            scheduling.cancel(actor, id, version, reason);
            redirect.addFlashAttribute("notice", "appointment.cancelled");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/schedule?practitioner=" + before.practitionerId() + "&date=" + before.startAt().atZone(scheduling.zone()).toLocalDate();
    }
}
