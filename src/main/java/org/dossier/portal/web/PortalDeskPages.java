package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.platform.FormPosts;
import org.dossier.portal.PortalAccounts;
import org.dossier.portal.PortalCorrection;
import org.dossier.portal.PortalCorrections;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;


/**
 * The front desk's side of enrolment (staff chain): whether a patient has a portal account, and a one-time code to hand
 * over, shown once; the patient's correction requests (ADR 0040), their queue, and the desk's answer. The gateway decides
 * and audits each, for the desk of the patient's facility only.
 */
@Controller
class PortalDeskPages {

    private final PortalAccounts accounts;
    private final PortalCorrections corrections;

    PortalDeskPages(PortalAccounts accounts, PortalCorrections corrections) {
        this.accounts = accounts;
        this.corrections = corrections;
    }

    @GetMapping("/patients/portal-corrections")
    String queue(Actor actor, Model model) {
        model.addAttribute("waiting", corrections.queue(actor));
        return "portal/desk-corrections";
    }

    @PostMapping("/patients/{patientId}/portal/corrections/{id}")
    String answer(Actor actor, @PathVariable long patientId, @PathVariable long id,
                  @RequestParam(required = false) PortalCorrection.Status status, @RequestParam(defaultValue = "") String answer,
                  RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "portal.correction.answered", () -> corrections.answer(actor, patientId, id, status, answer));
        return "redirect:/patients/" + patientId + "/portal";
    }

    @GetMapping("/patients/{patientId}/portal")
    String page(Actor actor, @PathVariable long patientId, Model model) {
        model.addAttribute("patientId", patientId);
        model.addAttribute("status", accounts.accountStatus(actor, patientId).orElse(null));
        model.addAttribute("corrections", corrections.ofPatient(actor, patientId));
        model.addAttribute("mailAvailable", accounts.mailAvailable());
        return "portal/desk";
    }

    /** The code goes to the e-mail on the record (ADR 0049): the page says where, never what. */
    @PostMapping("/patients/{patientId}/portal/code/mail")
    String mail(Actor actor, @PathVariable long patientId, RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, () -> accounts.mailCode(actor, patientId), sent -> {
            redirect.addFlashAttribute("mailed", sent);
            return "portal.desk.mailed";
        });
        return "redirect:/patients/" + patientId + "/portal";
    }

    @PostMapping("/patients/{patientId}/portal/code")
    String issue(Actor actor, @PathVariable long patientId, Model model) {
        model.addAttribute("patientId", patientId);
        model.addAttribute("issued", accounts.issueCode(actor, patientId));
        model.addAttribute("status", null);
        model.addAttribute("corrections", java.util.List.of());
        model.addAttribute("mailAvailable", false);
        return "portal/desk";
    }
}
