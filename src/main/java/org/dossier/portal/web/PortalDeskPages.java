package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.platform.FormPosts;
import org.dossier.portal.PortalAccounts;
import org.dossier.portal.PortalCorrection;
import org.dossier.portal.PortalCorrections;
import org.dossier.portal.PortalGuardians;
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
    private final PortalGuardians guardians;

    PortalDeskPages(PortalAccounts accounts, PortalCorrections corrections, PortalGuardians guardians) {
        this.accounts = accounts;
        this.corrections = corrections;
        this.guardians = guardians;
    }

    /** Links a legal guardian's portal account to this minor's record (ADR 0050); a refusal is said on the page. */
    @PostMapping("/patients/{patientId}/portal/guardians")
    String link(Actor actor, @PathVariable long patientId, @RequestParam(required = false) Long guardianPatientId,
                RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "portal.guardian.linked", () -> guardians.link(actor, patientId, guardianPatientId));
        return "redirect:/patients/" + patientId + "/portal";
    }

    @PostMapping("/patients/{patientId}/portal/guardians/{linkId}/end")
    String endLink(Actor actor, @PathVariable long patientId, @PathVariable long linkId, RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "portal.guardian.ended", () -> guardians.end(actor, patientId, linkId));
        return "redirect:/patients/" + patientId + "/portal";
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
        PortalAccounts.DeskState state = accounts.deskState(actor, patientId);
        model.addAttribute("status", state.status().orElse(null));
        model.addAttribute("corrections", corrections.ofPatient(actor, patientId));
        model.addAttribute("guardians", guardians.ofMinor(actor, patientId));
        model.addAttribute("mailAvailable", state.mail());
        model.addAttribute("deskCodes", state.deskCodes());
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
        model.addAttribute("guardians", java.util.List.of());
        model.addAttribute("mailAvailable", false);
        model.addAttribute("deskCodes", true);
        return "portal/desk";
    }
}
