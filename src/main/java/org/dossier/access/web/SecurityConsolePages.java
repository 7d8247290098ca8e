package org.dossier.access.web;

import org.dossier.access.BreakGlass;
import org.dossier.access.BreakGlassGrant;
import org.dossier.audit.AuditReports;
import org.dossier.audit.AuditVerifier;
import org.dossier.guard.Alerts;
import org.dossier.guard.GuardAlert;
import java.util.Map;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
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
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;

/**
 * The security officer's console: the guard's open alerts with their evidence, frozen accounts and unfreezing,
 * break-the-glass grants to review, the audit search, a patient's access report, an account's exposure report (with
 * its CSV download) and the audit chain's verification. Unfreezing needs a second factor used in the last minutes.
 */
@Controller
class SecurityConsolePages {

    private final Alerts alerts;
    private final BreakGlass breakGlass;
    private final AuditReports reports;
    private final AuditVerifier verifier;
    private final OrganizationService organization;
    private final Clock clock;
    private final org.dossier.web.Formats formats;
    private final tools.jackson.databind.json.JsonMapper json;

    SecurityConsolePages(Alerts alerts, BreakGlass breakGlass, AuditReports reports, AuditVerifier verifier,
                         OrganizationService organization, Clock clock, org.dossier.web.Formats formats,
                         tools.jackson.databind.json.JsonMapper json) {
        this.json = json;
        this.formats = formats;
        this.alerts = alerts;
        this.breakGlass = breakGlass;
        this.reports = reports;
        this.verifier = verifier;
        this.organization = organization;
        this.clock = clock;
    }

    @GetMapping("/security")
    String console(Actor actor, Model model) {
        actor.requireAnyRole("use the security console", Role.SECURITY_OFFICER);
        model.addAttribute("alerts", alerts.alerts(actor, true).stream().map(this::shown).toList());
        model.addAttribute("frozen", alerts.frozen(actor));
        model.addAttribute("grants", breakGlass.reviewQueue(actor, true));
        return "access/console";
    }

    /** An alert as the console shows it: the evidence as named values, and of the exposure only its counts. */
    record ShownAlert(GuardAlert alert, Map<String, Object> evidence, Object patients, Object refusedAttempts) {
    }

    private ShownAlert shown(GuardAlert a) {
        Map<String, Object> evidence = new java.util.TreeMap<>(readMap(a.evidence()));
        Map<String, Object> exposure = readMap(a.exposure());
        return new ShownAlert(a, evidence, exposure.get("patients"), exposure.get("refusedAttempts"));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMap(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        try {
            return json.readValue(text, Map.class);
        } catch (RuntimeException unreadable) {
            return Map.of("text", text);
        }
    }

    @PostMapping("/security/alerts/{id}/acknowledge")
    String acknowledge(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "") String note, RedirectAttributes redirect) {
        alerts.acknowledge(actor, id, note);
        redirect.addFlashAttribute("notice", "console.acknowledged");
        return "redirect:/security";
    }

    @PostMapping("/security/accounts/{staffId}/unfreeze")
    String unfreeze(Actor actor, @PathVariable long staffId, @RequestParam(defaultValue = "") String reason, RedirectAttributes redirect) {
        try {
            alerts.unfreeze(actor, staffId, reason);
            redirect.addFlashAttribute("notice", "console.unfrozen");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/security";
    }

    @PostMapping("/security/break-glass/{grantId}/review")
    String review(Actor actor, @PathVariable long grantId, @RequestParam(required = false) BreakGlassGrant.Outcome outcome,
                  @RequestParam(defaultValue = "") String comment, RedirectAttributes redirect) {
        try {
            breakGlass.review(actor, grantId, outcome, comment);
            redirect.addFlashAttribute("notice", "console.reviewed");
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/security";
    }

    @GetMapping("/security/audit")
    String audit(Actor actor, @RequestParam(required = false) Long account, @RequestParam(required = false) Long patient,
                 @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime from,
                 @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime to,
                 @RequestParam(defaultValue = "false") boolean refusals, Model model) {
        Instant end = to == null ? clock.instant().plusSeconds(60) : to.atZone(formats.zone()).toInstant();
        Instant start = from == null ? end.minus(Duration.ofDays(1)) : from.atZone(formats.zone()).toInstant();
        model.addAttribute("entries", reports.search(actor, start, end, account, patient, refusals, 200));
        model.addAttribute("account", account);
        model.addAttribute("patient", patient);
        model.addAttribute("refusals", refusals);
        model.addAttribute("from", start);
        model.addAttribute("to", end);
        return "access/audit";
    }

    @GetMapping("/security/patients/{patientId}/accesses")
    String patientAccesses(Actor actor, @PathVariable long patientId, Model model) {
        model.addAttribute("patientId", patientId);
        model.addAttribute("accesses", reports.patientAccesses(actor, patientId));
        return "access/patient-accesses";
    }

    @GetMapping("/security/accounts/{staffId}/exposure")
    String exposure(Actor actor, @PathVariable long staffId, @RequestParam(defaultValue = "24") int hours, Model model) {
        model.addAttribute("exposure", exposureOver(actor, staffId, hours));
        model.addAttribute("account", organization.staffMember(staffId));
        model.addAttribute("hours", hours);
        return "access/exposure";
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
        return "access/verification :: report";
    }
}
