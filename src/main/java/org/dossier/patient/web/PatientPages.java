package org.dossier.patient.web;

import org.dossier.organization.Actor;
import org.dossier.patient.IdentityStatus;
import org.dossier.patient.Patient;
import org.dossier.patient.PatientSearchQuery;
import org.dossier.patient.PatientService;
import org.dossier.patient.Sex;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import jakarta.servlet.http.HttpServletResponse;
import java.time.LocalDate;

/**
 * Finding a patient (bounded as the gateway rules: a name prefix with a birth date or given name, or an exact INS or
 * IPP; twenty results at most), registering one with the duplicate warning, editing an identity, merging a
 * duplicate, and the queue of possible duplicates raised by imports. Every result shown is an audited access.
 */
@Controller
class PatientPages {

    private final PatientService patients;
    private final org.dossier.organization.OrganizationService organization;

    PatientPages(PatientService patients, org.dossier.organization.OrganizationService organization) {
        this.patients = patients;
        this.organization = organization;
    }

    @GetMapping("/patients")
    String search(Actor actor, @RequestParam(required = false) String name, @RequestParam(required = false) String given,
                  @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate birthDate,
                  @RequestParam(required = false) String ins, @RequestParam(required = false) String ipp, Model model,
                  HttpServletResponse response) {
        boolean asked = notBlank(name) || notBlank(ins) || notBlank(ipp);
        model.addAttribute("name", name);
        model.addAttribute("given", given);
        model.addAttribute("birthDate", birthDate);
        model.addAttribute("ins", ins);
        model.addAttribute("ipp", ipp);
        if (asked) {
            try {
                model.addAttribute("page", patients.search(actor, new PatientSearchQuery(name, given, birthDate, ins, ipp, null)));
            } catch (InvalidInputException e) {
                response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
                model.addAttribute("error", e.getMessage());
            }
        }
        return "patient/search";
    }

    @GetMapping("/patients/new")
    String registration(Actor actor, Model model) {
        model.addAttribute("form", new IdentityForm());
        return registrationPage(actor, model);
    }

    @PostMapping("/patients/new")
    String register(Actor actor, @ModelAttribute("form") IdentityForm form, Model model, HttpServletResponse response) {
        try {
            int facility = form.facilityId != null ? form.facilityId : actor.facilityIds().stream().sorted().findFirst().orElseThrow();
            Patient created = patients.register(actor, facility, form.toData(null), form.duplicatesReviewed);
            return "redirect:/patients/" + created.id() + "?registered";
        } catch (ConflictException e) {
            response.setStatus(HttpStatus.CONFLICT.value());
            model.addAttribute("error", e.getMessage());
            model.addAttribute("candidates", e.details().get("candidates"));
        } catch (InvalidInputException e) {
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("error", e.getMessage());
        }
        return registrationPage(actor, model);
    }

    @GetMapping("/patients/{id}/edit")
    String edit(Actor actor, @PathVariable long id, Model model) {
        Patient patient = patients.read(actor, id);
        model.addAttribute("patient", patient);
        model.addAttribute("form", IdentityForm.of(patient.data()));
        model.addAttribute("version", patient.version());
        return editPage(model);
    }

    @PostMapping("/patients/{id}/edit")
    String update(Actor actor, @PathVariable long id, @ModelAttribute("form") IdentityForm form, @RequestParam int version,
                  @RequestParam(defaultValue = "") String reason, Model model, HttpServletResponse response, RedirectAttributes redirect) {
        Patient before = patients.read(actor, id);
        try {
            patients.update(actor, id, version, form.toData(before.data()), reason);
            redirect.addFlashAttribute("notice", "patient.updated");
            return "redirect:/patients/" + id;
        } catch (InvalidInputException | ConflictException e) {
            response.setStatus(e instanceof ConflictException ? HttpStatus.CONFLICT.value() : HttpStatus.UNPROCESSABLE_CONTENT.value());
            model.addAttribute("error", e.getMessage());
            model.addAttribute("patient", before);
            model.addAttribute("version", version);
            model.addAttribute("reason", reason);
            return editPage(model);
        }
    }

    @PostMapping("/patients/{id}/merge")
    String merge(Actor actor, @PathVariable long id, @RequestParam long mergedId, @RequestParam(defaultValue = "") String reason,
                 RedirectAttributes redirect) {
        try {
            patients.merge(actor, id, mergedId, reason);
            redirect.addFlashAttribute("notice", "patient.merged");
            return "redirect:/patients/" + id;
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
            return "redirect:/patients/" + id + "/edit";
        }
    }

    /** The front desk's queue of possible duplicates raised by imports: merge each pair, or say they are two people. */
    @GetMapping("/patients/duplicates")
    String duplicates(Actor actor, Model model) {
        model.addAttribute("reviews", patients.duplicateReviews(actor, null));
        return "patient/duplicates";
    }

    @PostMapping("/patients/duplicates/{id}/merge")
    String mergeReviewed(Actor actor, @PathVariable long id, @RequestParam long survivorId, @RequestParam long mergedId,
                         @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        try {
            patients.merge(actor, survivorId, mergedId, reason);
            redirect.addFlashAttribute("notice", "patient.merged");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/patients/duplicates";
    }

    @PostMapping("/patients/duplicates/{id}/dismiss")
    String dismiss(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        try {
            patients.dismissDuplicateReview(actor, id, reason);
            redirect.addFlashAttribute("notice", "duplicates.dismissed");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/patients/duplicates";
    }

    private String registrationPage(Actor actor, Model model) {
        model.addAttribute("facilities", organization.facilities().stream().filter(f -> actor.worksIn(f.id())).toList());
        model.addAttribute("sexes", Sex.values());
        model.addAttribute("statuses", IdentityStatus.values());
        return "patient/register";
    }

    private String editPage(Model model) {
        model.addAttribute("sexes", Sex.values());
        model.addAttribute("statuses", IdentityStatus.values());
        return "patient/edit";
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
