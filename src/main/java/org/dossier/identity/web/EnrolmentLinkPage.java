package org.dossier.identity.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.identity.AuthService;
import org.dossier.organization.Actor;
import org.dossier.platform.ConflictException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The one-time enrolment link a new colleague signs in with, issued from the account's administration page
 * ({@code organization.web.StaffAdministrationPages}); it needs a second factor used in the last minutes.
 */
@Controller
class EnrolmentLinkPage {

    private final AuthService auth;

    EnrolmentLinkPage(AuthService auth) {
        this.auth = auth;
    }

    @PostMapping("/admin/staff/{id}/enrolment-link")
    String link(Actor actor, @PathVariable long id, HttpServletRequest request, RedirectAttributes redirect) {
        try {
            AuthService.EnrolmentLink link = auth.enrolmentLink(actor, id, request);
            redirect.addFlashAttribute("enrolmentLink", "/signin/link?token=" + link.token());
            redirect.addFlashAttribute("enrolmentExpires", link.expiresAt());
        } catch (ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/staff/" + id;
    }
}
