package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.platform.BadRequestException;
import org.dossier.portal.PortalAccounts;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * The desk's enrolment code over the API: handed over (the code is in this answer only) or sent to the e-mail on the record
 * ({@code ?delivery=mail}: the answer says where, ADR 0049). Refusals are problems (RFC 9457).
 */
@RestController
class PortalDeskApi {

    private final PortalAccounts accounts;

    PortalDeskApi(PortalAccounts accounts) {
        this.accounts = accounts;
    }

    @PostMapping("/api/patients/{patientId}/portal-code")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, Object> issue(Actor actor, @PathVariable long patientId, @RequestParam(defaultValue = "desk") String delivery) {
        switch (delivery) {
            case "desk" -> {
                PortalAccounts.IssuedCode issued = accounts.issueCode(actor, patientId);
                return Map.of("code", issued.code(), "expiresAt", issued.expiresAt().toString());
            }
            case "mail" -> {
                PortalAccounts.MailedCode sent = accounts.mailCode(actor, patientId);
                return Map.of("sentTo", sent.sentTo(), "expiresAt", sent.expiresAt().toString());
            }
            default -> throw new BadRequestException("invalid-delivery", "delivery must be 'desk' (the code is in the answer) or "
                    + "'mail' (it goes to the e-mail on the record)");
        }
    }
}
