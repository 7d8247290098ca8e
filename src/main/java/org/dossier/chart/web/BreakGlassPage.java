package org.dossier.chart.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.access.BreakGlass;
import org.dossier.access.BreakGlassGrant;
import org.dossier.identity.ActorResolver;
import org.dossier.identity.AuthService;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.UnauthorizedException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The break-the-glass dialog's answer: a coded reason, a sentence, and a second factor given now, in one form. The
 * code confirms the person first (step-up); the grant is then taken as that freshly confirmed person.
 */
@Controller
class BreakGlassPage {

    private final AuthService auth;
    private final ActorResolver actors;
    private final BreakGlass breakGlass;

    BreakGlassPage(AuthService auth, ActorResolver actors, BreakGlass breakGlass) {
        this.auth = auth;
        this.actors = actors;
        this.breakGlass = breakGlass;
    }

    @PostMapping("/patients/{id}/break-glass")
    String breakTheGlass(Actor actor, @PathVariable long id, @RequestParam(required = false) BreakGlassGrant.Reason reason,
                         @RequestParam(defaultValue = "") String justification, @RequestParam(defaultValue = "") String code,
                         HttpServletRequest request, HttpServletResponse response, RedirectAttributes redirect) {
        try {
            auth.stepUp(code, request, response);
            Actor confirmed = actors.resolve(SecurityContextHolder.getContext().getAuthentication(), request);
            breakGlass.breakGlass(confirmed, id, reason, justification);
            redirect.addFlashAttribute("notice", "breakGlass.granted");
        } catch (UnauthorizedException e) {
            redirect.addFlashAttribute("errorKey", "stepup.invalid");
        } catch (InvalidInputException | org.dossier.platform.ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/patients/" + id;
    }
}
