package org.dossier.audit.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.audit.AuditVerifier;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/audit")
@Tag(name = "Audit", description = "The hash-chained audit trail (security officer)")
class AuditController {

    private final AuditVerifier verifier;

    AuditController(AuditVerifier verifier) {
        this.verifier = verifier;
    }

    @GetMapping("/verification")
    @Operation(summary = "Recompute the chain and check the signed checkpoints; names the first entry that does not match")
    AuditVerifier.Report verify(Actor actor) {
        actor.requireAnyRole("verify the audit trail", Role.SECURITY_OFFICER);
        return verifier.verify();
    }
}
