package org.dossier.care.web;

import org.dossier.care.Stay;
import org.dossier.care.StayKind;
import org.dossier.care.StayService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.util.List;

/** Admission, transfer and discharge, for the admissions desk: each a versioned change of the stay with its reason. */
@Controller
class StayPages {

    private final StayService stays;
    private final OrganizationService organization;

    StayPages(StayService stays, OrganizationService organization) {
        this.stays = stays;
        this.organization = organization;
    }

    @GetMapping("/stays/new")
    String admission(Actor actor, @RequestParam long patient, Model model) {
        model.addAttribute("patientId", patient);
        return withChoices(actor, model, "care/admit");
    }

    @PostMapping("/stays")
    String admit(Actor actor, @RequestParam long patient, @RequestParam(defaultValue = "INPATIENT") StayKind kind,
                 @RequestParam(required = false) Integer unitId, @RequestParam(required = false) String bed,
                 @RequestParam(required = false) Long attendingId, @RequestParam(defaultValue = "") String reason,
                 RedirectAttributes redirect) {
        try {
            stays.admit(actor, new StayService.Admission(patient, kind, unitId, bed, attendingId, null, reason));
            redirect.addFlashAttribute("notice", "stay.admitted.notice");
            return "redirect:/patients/" + patient + "?tab=stays";
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
            return "redirect:/stays/new?patient=" + patient;
        }
    }

    @GetMapping("/stays/{id}")
    String manage(Actor actor, @PathVariable long id, Model model) {
        Stay stay = stays.read(actor, id);
        model.addAttribute("stay", stay);
        return withChoices(actor, model, "care/stay");
    }

    @PostMapping("/stays/{id}/transfer")
    String transfer(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam(required = false) Integer unitId,
                    @RequestParam(required = false) String bed, @RequestParam(required = false) Long attendingId,
                    @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        return change(id, redirect, "stay.transferred", () -> stays.transfer(actor, id, version, unitId, bed, attendingId, null, reason));
    }

    @PostMapping("/stays/{id}/discharge")
    String discharge(Actor actor, @PathVariable long id, @RequestParam int version, @RequestParam(defaultValue = "HOME") String destination,
                     @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        return change(id, redirect, "stay.discharged.notice", () -> stays.discharge(actor, id, version, null, destination, reason));
    }

    private String change(long id, RedirectAttributes redirect, String notice, java.util.function.Supplier<Stay> action) {
        try {
            Stay stay = action.get();
            redirect.addFlashAttribute("notice", notice);
            return "redirect:/patients/" + stay.patientId() + "?tab=stays";
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
            return "redirect:/stays/" + id;
        }
    }

    private String withChoices(Actor actor, Model model, String view) {
        model.addAttribute("units", actor.facilityIds().stream().flatMap(f -> organization.units(f).stream()).toList());
        model.addAttribute("physicians", actor.facilityIds().stream()
                .flatMap(f -> organization.searchStaff("", f, Role.PHYSICIAN).stream()).distinct().limit(200).toList());
        model.addAttribute("kinds", StayKind.values());
        model.addAttribute("destinations", List.of("HOME", "TRANSFER", "DECEASED", "OTHER"));
        return view;
    }
}
