package org.dossier.audit.web;

import org.dossier.audit.AuditReports;
import org.dossier.audit.AuditVerifier;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * The security officer's audit screens, reached from the console ({@code access.web.SecurityConsolePage}): the audit
 * search, a patient's access report, an account's exposure report (with its CSV download) and the chain's verification.
 */
@Controller
class AuditPages {

    private final AuditReports reports;
    private final AuditVerifier verifier;
    private final OrganizationService organization;
    private final Clock clock;
    private final ZoneId zone;

    AuditPages(AuditReports reports, AuditVerifier verifier, OrganizationService organization, Clock clock,
               @Value("${dossier.time-zone:Europe/Paris}") String zone) {
        this.reports = reports;
        this.verifier = verifier;
        this.organization = organization;
        this.clock = clock;
        this.zone = ZoneId.of(zone);
    }

    @GetMapping("/security/audit")
    String audit(Actor actor, @RequestParam(required = false) Long account, @RequestParam(required = false) Long patient,
                 @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime from,
                 @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime to,
                 @RequestParam(defaultValue = "false") boolean refusals, Model model) {
        Instant end = to == null ? clock.instant().plusSeconds(60) : to.atZone(zone).toInstant();
        Instant start = from == null ? end.minus(Duration.ofDays(1)) : from.atZone(zone).toInstant();
        model.addAttribute("entries", reports.search(actor, start, end, account, patient, refusals, 200));
        model.addAttribute("account", account);
        model.addAttribute("patient", patient);
        model.addAttribute("refusals", refusals);
        model.addAttribute("from", start);
        model.addAttribute("to", end);
        return "audit/audit";
    }

    @GetMapping("/security/patients/{patientId}/accesses")
    String patientAccesses(Actor actor, @PathVariable long patientId, Model model) {
        model.addAttribute("patientId", patientId);
        model.addAttribute("accesses", reports.patientAccesses(actor, patientId));
        return "audit/patient-accesses";
    }

    @GetMapping("/security/accounts/{staffId}/exposure")
    String exposure(Actor actor, @PathVariable long staffId, @RequestParam(defaultValue = "24") int hours, Model model) {
        model.addAttribute("exposure", exposureOver(actor, staffId, hours));
        model.addAttribute("account", organization.staffMember(staffId));
        model.addAttribute("hours", hours);
        return "audit/exposure";
    }

    @GetMapping("/security/accounts/{staffId}/exposure.csv")
    ResponseEntity<String> exposureCsv(Actor actor, @PathVariable long staffId, @RequestParam(defaultValue = "24") int hours) {
        AuditReports.Exposure e = exposureOver(actor, staffId, hours);
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"exposure-" + staffId + ".csv\"")
                .body(AuditReports.toCsv(e));
    }

    /** The last {@code hours} (1 to the report's 31 days) up to now. */
    private AuditReports.Exposure exposureOver(Actor actor, long staffId, int hours) {
        Instant to = clock.instant().plusSeconds(60);
        return reports.exposure(actor, staffId, to.minus(Duration.ofHours(Math.max(1, Math.min(hours, 744)))), to);
    }

    /** Recomputes the whole chain (seconds at millions of entries): asked for, never on every visit of the console. */
    @PostMapping("/security/verification")
    String verify(Actor actor, Model model) {
        actor.requireAnyRole("verify the audit trail", Role.SECURITY_OFFICER);
        model.addAttribute("report", verifier.verify());
        return "audit/verification :: report";
    }
}
