package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.portal.PortalAccounts;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** The desk's enrolment code over the API: the code is in this answer only (refusals are problems, RFC 9457). */
@RestController
class PortalDeskApi {

    private final PortalAccounts accounts;

    PortalDeskApi(PortalAccounts accounts) {
        this.accounts = accounts;
    }

    @PostMapping("/api/patients/{patientId}/portal-code")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> issue(Actor actor, @PathVariable long patientId) {
        PortalAccounts.IssuedCode issued = accounts.issueCode(actor, patientId);
        return Map.of("code", issued.code(), "expiresAt", issued.expiresAt().toString());
    }
}
