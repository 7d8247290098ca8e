package org.dossier.guard.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.guard.Alerts;
import org.dossier.guard.Canaries;
import org.dossier.guard.GuardAlert;
import org.dossier.organization.Actor;
import org.dossier.organization.StaffMember;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

@RestController
@RequestMapping("/api/guard")
@Tag(name = "Guard", description = "Exfiltration alerts, frozen accounts and canary records (security officer)")
class GuardController {

    private final Alerts alerts;
    private final Canaries canaries;

    GuardController(Alerts alerts, Canaries canaries) {
        this.alerts = alerts;
        this.canaries = canaries;
    }

    @GetMapping("/alerts")
    @Operation(summary = "The guard's alerts, newest first; open ones only unless all=true")
    List<GuardAlert> alerts(Actor actor, @RequestParam(defaultValue = "false") boolean all) {
        return alerts.alerts(actor, !all);
    }

    @GetMapping("/alerts/{id}")
    @Operation(summary = "One alert with its evidence and the exposure report of the account's last 24 hours")
    GuardAlert alert(Actor actor, @PathVariable long id) {
        return alerts.alert(actor, id);
    }

    record Note(String note) {
    }

    @PostMapping("/alerts/{id}/acknowledge")
    GuardAlert acknowledge(Actor actor, @PathVariable long id, @RequestBody(required = false) Note body) {
        return alerts.acknowledge(actor, id, body == null ? null : body.note());
    }

    @GetMapping("/frozen")
    @Operation(summary = "Accounts frozen now")
    List<StaffMember> frozen(Actor actor) {
        return alerts.frozen(actor);
    }

    record Reason(String reason) {
    }

    @PostMapping("/accounts/{staffId}/unfreeze")
    @Operation(summary = "Unfreeze an account (security officer, second factor within 5 minutes, reason); its counting restarts")
    StaffMember unfreeze(Actor actor, @PathVariable long staffId, @RequestBody Reason body) {
        return alerts.unfreeze(actor, staffId, body.reason());
    }

    @GetMapping("/canaries")
    List<Long> canaries(Actor actor) {
        return canaries.list(actor);
    }

    record Canary(long patientId) {
    }

    @PostMapping("/canaries")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Mark a patient as a canary (security officer, fresh second factor)")
    void mark(Actor actor, @RequestBody Canary body) {
        canaries.mark(actor, body.patientId());
    }
}
