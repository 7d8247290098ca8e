package org.dossier.portal.web;

import org.dossier.organization.Actor;
import org.dossier.portal.PortalGuardians;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** The desk's guardians' links of a minor over the API (ADR 0050); refusals are problems (RFC 9457). */
@RestController
class PortalGuardianApi {

    /** The guardian named by their own patient record, whose active portal account the link is given to. */
    record NewLink(Long guardianPatientId) {
    }

    private final PortalGuardians guardians;

    PortalGuardianApi(PortalGuardians guardians) {
        this.guardians = guardians;
    }

    @GetMapping("/api/patients/{minorId}/guardians")
    List<PortalGuardians.Link> links(Actor actor, @PathVariable long minorId) {
        return guardians.ofMinor(actor, minorId);
    }

    @PostMapping("/api/patients/{minorId}/guardians")
    @ResponseStatus(HttpStatus.CREATED)
    PortalGuardians.Link link(Actor actor, @PathVariable long minorId, @RequestBody(required = false) NewLink body) {
        // Validated after the gateway's decision (in the service): a caller who may not touch the record learns nothing.
        return guardians.link(actor, minorId, body == null ? null : body.guardianPatientId());
    }

    @DeleteMapping("/api/patients/{minorId}/guardians/{linkId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void end(Actor actor, @PathVariable long minorId, @PathVariable long linkId) {
        guardians.end(actor, minorId, linkId);
    }
}
