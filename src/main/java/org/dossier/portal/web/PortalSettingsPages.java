package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.organization.Facility;
import org.dossier.organization.OrganizationService;
import org.dossier.portal.PortalSettings;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.util.List;

/** The administrator's screen of the portal's policy (ADR 0044): one form per facility they administer. */
@Controller
class PortalSettingsPages {

    private final PortalSettings settings;
    private final OrganizationService organization;

    PortalSettingsPages(PortalSettings settings, OrganizationService organization) {
        this.settings = settings;
        this.organization = organization;
    }

    /** A facility and the settings that apply there. */
    record FacilitySetting(Facility facility, PortalSettings.Setting setting) {
    }

    @GetMapping("/admin/portal-settings")
    String page(Actor actor, Model model) {
        List<FacilitySetting> rows = organization.facilities().stream().filter(f -> actor.facilityIds().contains(f.id()))
                .map(f -> new FacilitySetting(f, settings.forAdministrator(actor, f.id()))).toList();
        model.addAttribute("rows", rows);
        return "portal/admin-settings";
    }

    /** An unchecked box is not sent: absent means off. */
    @PostMapping("/admin/portal-settings/{facilityId}")
    String change(Actor actor, @PathVariable int facilityId, @RequestParam(defaultValue = "false") boolean breakGlassNotice,
                  @RequestParam(defaultValue = "false") boolean staffNames, @RequestParam(defaultValue = "false") boolean deskCodes,
                  RedirectAttributes redirect) {
        settings.change(actor, facilityId, breakGlassNotice, staffNames, deskCodes);
        redirect.addFlashAttribute("notice", "portal.settings.saved");
        return "redirect:/admin/portal-settings";
    }
}
