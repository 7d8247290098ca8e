package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.platform.FormPosts;
import org.dossier.portal.PortalCase;
import org.dossier.portal.PortalCases;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The security officer's queue of the cases patients opened about an access (staff chain): each with its evidence (the
 * audit entries, by sequence number) and a link to the exposure report of each account it names; closing one records
 * the outcome the patient sees.
 */
@Controller
class PortalCasePages {

    private final PortalCases cases;

    PortalCasePages(PortalCases cases) {
        this.cases = cases;
    }

    @GetMapping("/security/portal-cases")
    String queue(Actor actor, @RequestParam(defaultValue = "true") boolean open, @RequestParam(defaultValue = "0") int page, Model model) {
        java.util.List<PortalCase> found = cases.queue(actor, open, page);
        model.addAttribute("cases", found);
        model.addAttribute("openOnly", open);
        model.addAttribute("page", Math.max(0, page));
        model.addAttribute("more", found.size() == PortalCases.PAGE_SIZE);
        return "portal/officer-cases";
    }

    @PostMapping("/security/portal-cases/{caseId}/close")
    String close(Actor actor, @PathVariable long caseId, @RequestParam(required = false) PortalCase.Outcome outcome,
                 @RequestParam(defaultValue = "") String note, RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "portal.case.closed", () -> cases.close(actor, caseId, outcome, note));
        return "redirect:/security/portal-cases";
    }
}
