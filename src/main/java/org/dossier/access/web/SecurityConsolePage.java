package org.dossier.access.web;

import org.dossier.access.BreakGlass;
import org.dossier.access.BreakGlassGrant;
import org.dossier.guard.Alerts;
import org.dossier.guard.GuardAlert;
import java.util.Map;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FormPosts;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The security officer's console: the guard's open alerts with their evidence, frozen accounts, and the break-the-glass
 * grants to review. It sits in {@code access} because it shows the guard's alerts beside access's own grants and only
 * {@code access} may know both; acknowledging and unfreezing are {@code guard.web.AlertPages}, the audit search and
 * reports {@code audit.web.AuditPages}.
 */
@Controller
class SecurityConsolePage {

    private final Alerts alerts;
    private final BreakGlass breakGlass;
    private final tools.jackson.databind.json.JsonMapper json;

    SecurityConsolePage(Alerts alerts, BreakGlass breakGlass, tools.jackson.databind.json.JsonMapper json) {
        this.json = json;
        this.alerts = alerts;
        this.breakGlass = breakGlass;
    }

    @GetMapping("/security")
    String console(Actor actor, Model model) {
        actor.requireAnyRole("use the security console", Role.SECURITY_OFFICER);
        model.addAttribute("alerts", alerts.alerts(actor, true).stream().map(this::shown).toList());
        model.addAttribute("frozen", alerts.frozen(actor));
        model.addAttribute("grants", breakGlass.reviewQueue(actor, true));
        return "access/console";
    }

    /** An alert as the console shows it: the evidence as named values, and of the exposure only its counts. */
    record ShownAlert(GuardAlert alert, Map<String, Object> evidence, Object patients, Object refusedAttempts) {
    }

    private ShownAlert shown(GuardAlert a) {
        Map<String, Object> evidence = new java.util.TreeMap<>(readMap(a.evidence()));
        Map<String, Object> exposure = readMap(a.exposure());
        return new ShownAlert(a, evidence, exposure.get("patients"), exposure.get("refusedAttempts"));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMap(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        try {
            return json.readValue(text, Map.class);
        } catch (RuntimeException unreadable) {
            return Map.of("text", text);
        }
    }

    @PostMapping("/security/break-glass/{grantId}/review")
    String review(Actor actor, @PathVariable long grantId, @RequestParam(required = false) BreakGlassGrant.Outcome outcome,
                  @RequestParam(defaultValue = "") String comment, RedirectAttributes redirect) {
        FormPosts.attempt(redirect::addFlashAttribute, "console.reviewed", () -> breakGlass.review(actor, grantId, outcome, comment));
        return "redirect:/security";
    }
}
