package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.portal.PortalAccounts;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;


/**
 * The front desk's side of enrolment (staff chain): whether a patient has a portal account, and a one-time code to hand
 * over, shown once. The gateway decides and audits both, for the desk of the patient's facility only.
 */
@Controller
class PortalDeskPages {

    private final PortalAccounts accounts;

    PortalDeskPages(PortalAccounts accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/patients/{patientId}/portal")
    String page(Actor actor, @PathVariable long patientId, Model model) {
        model.addAttribute("patientId", patientId);
        model.addAttribute("status", accounts.accountStatus(actor, patientId).orElse(null));
        return "portal/desk";
    }

    @PostMapping("/patients/{patientId}/portal/code")
    String issue(Actor actor, @PathVariable long patientId, Model model) {
        model.addAttribute("patientId", patientId);
        model.addAttribute("issued", accounts.issueCode(actor, patientId));
        model.addAttribute("status", null);
        return "portal/desk";
    }
}
