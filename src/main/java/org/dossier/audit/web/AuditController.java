package org.dossier.audit.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.dossier.audit.AuditEventExport;
import org.dossier.audit.AuditReports;
import org.dossier.audit.AuditVerifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
    private final AuditReports reports;

    private final AuditEventExport export;

    AuditController(AuditVerifier verifier, AuditReports reports, AuditEventExport export) {
        this.export = export;
        this.verifier = verifier;
        this.reports = reports;
    }

    @GetMapping("/accounts/{staffId}/exposure")
    @Operation(summary = "Exactly which patients and sections an account was shown in a window (JSON, or CSV with format=csv)")
    ResponseEntity<?> exposure(Actor actor, @PathVariable long staffId, @RequestParam Instant from, @RequestParam Instant to,
                               @RequestParam(defaultValue = "json") String format) {
        AuditReports.Exposure e = reports.exposure(actor, staffId, from, to);
        if ("csv".equalsIgnoreCase(format)) {
            return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                    .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"exposure-" + staffId + ".csv\"")
                    .body(AuditReports.toCsv(e));
        }
        return ResponseEntity.ok(e);
    }

    @GetMapping("/patients/{patientId}/accesses")
    @Operation(summary = "Who opened a patient's record, when, what and why (latest 1,000)")
    List<AuditReports.PatientAccess> patientAccesses(Actor actor, @PathVariable long patientId) {
        return reports.patientAccesses(actor, patientId);
    }

    @GetMapping(path = "/events", produces = {"application/fhir+json", "application/json"})
    @Operation(summary = "Audit entries as FHIR AuditEvent resources (IHE BALP), in a window of at most 31 days, optionally for one "
            + "patient or one account (security officer)")
    Map<String, Object> events(Actor actor, @RequestParam Instant from, @RequestParam Instant to,
                               @RequestParam(required = false) Long patient, @RequestParam(required = false) Long account) {
        return export.bundle(actor, from, to, patient, account);
    }

    @GetMapping("/checkpoints")
    @Operation(summary = "The signed checkpoints and the public key that checks them, to keep outside the database (security officer)")
    AuditVerifier.Checkpoints checkpoints(Actor actor) {
        actor.requireAnyRole("export audit checkpoints", Role.SECURITY_OFFICER);
        return verifier.checkpoints();
    }

    @GetMapping("/verification")
    @Operation(summary = "Recompute the chain and check the signed checkpoints; names the first entry that does not match")
    AuditVerifier.Report verify(Actor actor) {
        actor.requireAnyRole("verify the audit trail", Role.SECURITY_OFFICER);
        return verifier.verify();
    }
}
