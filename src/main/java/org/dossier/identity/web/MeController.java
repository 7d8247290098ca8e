package org.dossier.identity.web;

import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class MeController {

    private final OrganizationService organization;

    MeController(OrganizationService organization) {
        this.organization = organization;
    }

    /** The account behind the current credentials. */
    @GetMapping("/api/me")
    StaffMember me(Actor actor) {
        return organization.staffMember(actor.staffId());
    }
}
