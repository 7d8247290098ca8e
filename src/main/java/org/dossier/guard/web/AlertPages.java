package org.dossier.guard.web;

import org.dossier.guard.Alerts;
import org.dossier.organization.Actor;
import org.dossier.platform.FormPosts;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The security console's answers to the guard (the console itself is {@code access.web.SecurityConsolePage}): acknowledging
 * an alert, unfreezing an account. Unfreezing needs a second factor used in the last minutes.
 */
@Controller
class AlertPages {

    private final Alerts alerts;

    AlertPages(Alerts alerts) {
        this.alerts = alerts;
    }

    @PostMapping("/security/alerts/{id}/acknowledge")
    String acknowledge(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "") String note, RedirectAttributes redirect) {
        alerts.acknowledge(actor, id, note);
        redirect.addFlashAttribute("notice", "console.acknowledged");
        return "redirect:/security";
    }

    @PostMapping("/security/accounts/{staffId}/unfreeze")
    String unfreeze(Actor actor, @PathVariable long staffId, @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "console.unfrozen", () -> alerts.unfreeze(actor, staffId, reason));
        return "redirect:/security";
    }
}
