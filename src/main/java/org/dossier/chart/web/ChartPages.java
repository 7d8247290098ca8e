package org.dossier.chart.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.platform.ForbiddenException;
import org.springframework.http.HttpStatus;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.billing.BillingService;
import org.dossier.care.SchedulingService;
import org.dossier.care.StayService;
import org.dossier.chart.ChartService;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.ImmunizationService;
import org.dossier.clinical.ProcedureService;
import org.dossier.clinical.ReceivedRecordService;
import org.dossier.clinical.DocumentService;
import org.dossier.clinical.Note;
import org.dossier.clinical.NoteService;
import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.Problem;
import org.dossier.clinical.ProblemService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.patient.PatientService;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.dossier.prescribing.PrescriptionService;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The chart in the browser: a banner and one tab at a time. Opening a tab is one access decision (one audit entry)
 * for every section it shows; a section the gateway withholds says why, and a clinician is offered the break-the-glass.
 * Every change is a form that posts and comes back to its tab; a refused or invalid change keeps what was typed.
 */
@Controller
class ChartPages {

    static final List<String> TABS = List.of("summary", "notes", "allergies", "problems", "prescriptions", "observations", "documents",
            "appointments", "stays", "billing");

    private final ChartService charts;
    private final PatientService patients;
    private final NoteService notes;
    private final AllergyService allergies;
    private final ProblemService problems;
    private final ProcedureService procedures;
    private final ImmunizationService immunizations;
    private final PrescriptionService prescriptions;
    private final ObservationService observations;
    private final DocumentService documents;
    private final ReceivedRecordService received;
    private final SchedulingService scheduling;
    private final StayService stays;
    private final BillingService billing;
    private final OrganizationService organization;
    private final java.time.Clock clock;

    ChartPages(ChartService charts, PatientService patients, NoteService notes, AllergyService allergies,
               ProblemService problems, ProcedureService procedures, ImmunizationService immunizations, PrescriptionService prescriptions,
               ObservationService observations, DocumentService documents, ReceivedRecordService received, SchedulingService scheduling, StayService stays,
               BillingService billing, OrganizationService organization, java.time.Clock clock) {
        this.clock = clock;
        this.charts = charts;
        this.patients = patients;
        this.notes = notes;
        this.allergies = allergies;
        this.problems = problems;
        this.procedures = procedures;
        this.immunizations = immunizations;
        this.prescriptions = prescriptions;
        this.observations = observations;
        this.documents = documents;
        this.received = received;
        this.scheduling = scheduling;
        this.stays = stays;
        this.billing = billing;
        this.organization = organization;
    }

    @GetMapping("/patients/{id}")
    String chart(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "summary") String tab,
                 @RequestParam(required = false) ObservationKind kind, Model model, HttpServletResponse response) {
        try {
            return tab(actor, id, tab, kind, model);
        } catch (ForbiddenException refused) {
            if (refused instanceof org.dossier.platform.AccountFrozenException) {
                throw refused;
            }
            // Already audited by the gateway. A clinician is told why, and offered the emergency access.
            response.setStatus(HttpStatus.FORBIDDEN.value());
            model.addAttribute("patientId", id);
            model.addAttribute("detail", refused.getMessage().replaceAll(" If this is an emergency.*", ""));
            model.addAttribute("restricted", refused.getMessage().contains("restricted"));
            model.addAttribute("mayBreakGlass", actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE));
            model.addAttribute("breakGlassReasons", org.dossier.access.BreakGlassGrant.Reason.values());
            return "chart/refused";
        }
    }

    private String tab(Actor actor, long id, String tab, ObservationKind kind, Model model) {
        if (!TABS.contains(tab)) {
            throw new InvalidInputException("tab", "is one of " + TABS);
        }
        model.addAttribute("tab", tab);
        model.addAttribute("tabs", visibleTabs(actor));
        model.addAttribute("breakGlassReasons", org.dossier.access.BreakGlassGrant.Reason.values());
        model.addAttribute("mayBreakGlass", actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE));
        if (tab.equals("summary")) {
            summaryTab(actor, id, model);
            return "chart/chart";
        }
        PatientAccess access = charts.open(actor, id);
        model.addAttribute("patient", patients.read(access));
        model.addAttribute("accessReason", access.reasonCode());
        Section needed = sectionOf(tab);
        boolean clinicalWithheld = !access.permits(Section.CLINICAL);
        // The allergy flag stays in the banner on every tab: it is what a prescriber must never miss.
        model.addAttribute("allergyFlag", !clinicalWithheld && !allergies.ofPatient(access, true).isEmpty());
        model.addAttribute("clinicalWithheld", clinicalWithheld);
        if (!access.permits(needed)) {
            model.addAttribute("tabWithheld", ChartService.sectionsOf(actor).contains(needed)
                    ? "chart.withheld.relationship" : "chart.withheld.role");
            return "chart/chart";
        }
        switch (tab) {
            case "notes" -> notesTab(access, model);
            case "allergies" -> allergiesTab(access, model);
            case "problems" -> problemsTab(access, model);
            case "prescriptions" -> prescriptionsTab(actor, access, model);
            case "observations" -> observationsTab(access, kind, model);
            case "documents" -> documentsTab(access, model);
            case "appointments" -> model.addAttribute("appointments", scheduling.ofPatient(access));
            case "stays" -> staysTab(actor, access, model);
            case "billing" -> billingTab(access, model);
            default -> {
            }
        }
        return "chart/chart";
    }

    /** The section of the chart a tab shows (every tab but the summary, which assembles several). */
    private static Section sectionOf(String tab) {
        return switch (tab) {
            case "prescriptions" -> Section.PRESCRIPTIONS;
            case "appointments" -> Section.SCHEDULING;
            case "stays" -> Section.ENCOUNTERS;
            case "billing" -> Section.BILLING;
            default -> Section.CLINICAL;
        };
    }

    private void summaryTab(Actor actor, long id, Model model) {
        var summary = charts.summary(actor, id);
        model.addAttribute("summary", summary);
        model.addAttribute("patient", summary.patient());
        model.addAttribute("allergyFlag", summary.allergies() != null && !summary.allergies().isEmpty());
        Map<String, String> withheld = new HashMap<>();
        summary.withheld().forEach((section, why) -> withheld.put(section.name(), why));
        model.addAttribute("withheld", withheld);
        model.addAttribute("accessReason", summary.accessReason());
        model.addAttribute("clinicalWithheld", summary.withheld().containsKey(org.dossier.chart.ChartSummary.Section.NOTES));
        addNames(model, summary.recentNotes() == null ? List.of() : summary.recentNotes().stream().map(Note::authorId).toList());
    }

    private void notesTab(PatientAccess access, Model model) {
        List<Note> list = notes.ofPatient(access, 50);
        model.addAttribute("notes", list);
        addNames(model, list.stream().map(Note::authorId).toList());
        model.addAttribute("noteKinds", Note.Kind.values());
    }

    private void allergiesTab(PatientAccess access, Model model) {
        model.addAttribute("allergies", allergies.ofPatient(access, false));
        model.addAttribute("severities", Allergy.Severity.values());
        model.addAttribute("allergyKinds", Allergy.Kind.values());
    }

    /** Procedures and vaccines beside the problems: the history another system sent, under the same decision. */
    private void problemsTab(PatientAccess access, Model model) {
        model.addAttribute("problems", problems.ofPatient(access, false));
        model.addAttribute("procedures", procedures.ofPatient(access));
        model.addAttribute("immunizations", immunizations.ofPatient(access));
    }

    private void prescriptionsTab(Actor actor, PatientAccess access, Model model) {
        model.addAttribute("prescriptions", prescriptions.ofPatient(access, false));
        model.addAttribute("activeAllergies", access.permits(Section.CLINICAL) ? allergies.ofPatient(access, true) : List.of());
        model.addAttribute("mayPrescribe", actor.hasRole(Role.PHYSICIAN));
        model.addAttribute("routes", PrescriptionService.ROUTES);
    }

    private void observationsTab(PatientAccess access, ObservationKind kind, Model model) {
        List<Observation> latest = observations.latest(access);
        ObservationKind shown = kind != null ? kind : ObservationKind.HEART_RATE;
        List<Observation> series = observations.series(access, shown, clockNow().minus(Duration.ofDays(30)), null).stream()
                .filter(o -> !"ENTERED_IN_ERROR".equals(o.status())).filter(Observation::numeric)
                .sorted(Comparator.comparing(Observation::effectiveAt)).toList();
        model.addAttribute("latest", latest);
        // Every other observation (results, surveys, findings, social history) by its latest value, newest first.
        model.addAttribute("results", latest.stream().filter(o -> o.kind() == ObservationKind.LAB)
                .sorted(Comparator.comparing(Observation::effectiveAt).reversed()).toList());
        model.addAttribute("releasedResults", observations.releasedIds(access));
        model.addAttribute("mayRelease", access.actor().hasRole(Role.PHYSICIAN));
        model.addAttribute("trendKind", shown);
        model.addAttribute("trend", TrendChart.of(series));
        model.addAttribute("series", series);
        model.addAttribute("vitalKinds", EnumSet.range(ObservationKind.BLOOD_PRESSURE, ObservationKind.RESPIRATORY_RATE));
    }

    /** Beside the documents filed here, what other systems sent (reports, notes, plans…), under the same decision. */
    private void documentsTab(PatientAccess access, Model model) {
        model.addAttribute("documents", documents.ofPatient(access));
        model.addAttribute("releasedDocuments", documents.releasedIds(access));
        model.addAttribute("mayRelease", access.actor().hasRole(Role.PHYSICIAN));
        model.addAttribute("received", received.readings(access));
        model.addAttribute("receivedTotal", received.count(access));
    }

    private void staysTab(Actor actor, PatientAccess access, Model model) {
        var encounters = stays.encounters(access);
        model.addAttribute("stays", encounters.stays());
        model.addAttribute("pastEncounters", encounters.history());
        addNames(model, encounters.stays().stream().map(s -> s.attendingId()).toList());
        model.addAttribute("units", unitNames(actor));
    }

    private void billingTab(PatientAccess access, Model model) {
        model.addAttribute("invoices", billing.invoicesOf(access));
        // What an invoice can be for: the patient's stays and appointments (a billing clerk sees both).
        if (access.permits(Section.ENCOUNTERS) && access.permits(Section.SCHEDULING)) {
            model.addAttribute("billableStays", stays.ofPatient(access));
            model.addAttribute("billableAppointments", scheduling.ofPatient(access).stream()
                    .filter(a -> a.status() == org.dossier.care.AppointmentStatus.COMPLETED).toList());
        }
        model.addAttribute("cardReads", billing.cardReadsOf(access));
    }

    // ---- notes

    @PostMapping("/patients/{id}/notes")
    String draftNote(Actor actor, @PathVariable long id, @RequestParam(defaultValue = "PROGRESS") Note.Kind kind, @RequestParam String title,
                     @RequestParam String body, @RequestParam(defaultValue = "draft") String then, HttpServletRequest request,
                     RedirectAttributes redirect) {
        return change(id, "notes", request, redirect, () -> {
            Note note = notes.draft(actor, id, kind, title, body, null);
            if ("sign".equals(then)) {
                notes.sign(actor, note.id(), note.version());
                return "note.signed";
            }
            return "note.drafted";
        });
    }

    @PostMapping("/patients/{id}/notes/{noteId}/sign")
    String signNote(Actor actor, @PathVariable long id, @PathVariable long noteId, @RequestParam int version, HttpServletRequest request,
                    RedirectAttributes redirect) {
        return change(id, "notes", request, redirect, () -> {
            notes.sign(actor, noteId, version);
            return "note.signed";
        });
    }

    @PostMapping("/patients/{id}/notes/{noteId}/amend")
    String amendNote(Actor actor, @PathVariable long id, @PathVariable long noteId, @RequestParam String title, @RequestParam String body,
                     @RequestParam String reason, HttpServletRequest request, RedirectAttributes redirect) {
        return change(id, "notes", request, redirect, () -> {
            notes.amend(actor, noteId, title, body, reason);
            return "note.amended";
        });
    }

    // ---- allergies, problems

    @PostMapping("/patients/{id}/allergies")
    String recordAllergy(Actor actor, @PathVariable long id, @RequestParam String substance, @RequestParam(required = false) String reaction,
                         @RequestParam(required = false) Allergy.Severity severity, @RequestParam(defaultValue = "ALLERGY") Allergy.Kind kind,
                         HttpServletRequest request, RedirectAttributes redirect) {
        return change(id, "allergies", request, redirect, () -> {
            allergies.record(actor, id, new AllergyService.AllergyInput(substance, null, blankToNull(reaction), severity, kind,
                    Allergy.Status.ACTIVE));
            return "allergy.recorded";
        });
    }

    @PostMapping("/patients/{id}/problems")
    String recordProblem(Actor actor, @PathVariable long id, @RequestParam String icd10Code, @RequestParam String label,
                         @RequestParam(required = false) LocalDate onsetDate, HttpServletRequest request, RedirectAttributes redirect) {
        return change(id, "problems", request, redirect, () -> {
            problems.record(actor, id, new ProblemService.ProblemInput(icd10Code, label, onsetDate, Problem.Status.ACTIVE));
            return "problem.recorded";
        });
    }

    // ---- prescriptions

    @PostMapping("/patients/{id}/prescriptions")
    String prescribe(Actor actor, @PathVariable long id, @RequestParam String drug, @RequestParam(required = false) String atcCode,
                     @RequestParam String dose, @RequestParam String route, @RequestParam String frequency,
                     @RequestParam(required = false) Integer durationDays, @RequestParam(required = false) String allergyOverrideReason,
                     HttpServletRequest request, RedirectAttributes redirect) {
        try {
            prescriptions.prescribe(actor, id, new PrescriptionService.OrderInput(drug, blankToNull(atcCode), null, dose, route, frequency,
                    durationDays, null, null, blankToNull(allergyOverrideReason)));
            redirect.addFlashAttribute("notice", allergyOverrideReason == null || allergyOverrideReason.isBlank()
                    ? "prescription.done" : "prescription.overridden");
        } catch (ConflictException e) {
            if (!"allergy-conflict".equals(e.code())) {
                throw e;
            }
            // The prescriber sees the allergy, and either changes the drug or gives the reason to go on.
            // Flash attributes live in the (serialised) session: plain values only.
            java.util.ArrayList<HashMap<String, String>> conflicts = new java.util.ArrayList<>();
            if (e.details().get("allergies") instanceof List<?> allergies) {
                for (Object o : allergies) {
                    if (o instanceof Allergy a) {
                        HashMap<String, String> shown = new HashMap<>();
                        shown.put("substance", a.substance());
                        shown.put("severity", a.severity() == null ? null : a.severity().name());
                        shown.put("reaction", a.reaction());
                        conflicts.add(shown);
                    }
                }
            }
            redirect.addFlashAttribute("allergyConflict", conflicts);
            redirect.addFlashAttribute("form", formOf(request));
        } catch (InvalidInputException e) {
            redirect.addFlashAttribute("error", e.getMessage());
            redirect.addFlashAttribute("form", formOf(request));
        }
        return "redirect:/patients/" + id + "?tab=prescriptions";
    }

    // ---- observations, documents

    @PostMapping("/patients/{id}/observations")
    String recordObservation(Actor actor, @PathVariable long id, @RequestParam ObservationKind kind, @RequestParam BigDecimal value,
                             @RequestParam(required = false) BigDecimal value2, @RequestParam(required = false) LocalDateTime effectiveAt,
                             HttpServletRequest request, RedirectAttributes redirect) {
        String result = change(id, "observations", request, redirect, () -> {
            Instant at = effectiveAt == null ? null : effectiveAt.atZone(scheduling.zone()).toInstant();
            observations.record(actor, id, new ObservationService.ObservationInput(kind, value, value2, null, at, null, null));
            return "observation.recorded";
        });
        return result + "&kind=" + kind.name();
    }

    @PostMapping(path = "/patients/{id}/documents", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    String upload(Actor actor, @PathVariable long id, @RequestParam String title, @RequestParam(defaultValue = "REPORT") String kind,
                  @RequestParam MultipartFile file, HttpServletRequest request, RedirectAttributes redirect) throws IOException {
        byte[] bytes = file.getBytes();
        return change(id, "documents", request, redirect, () -> {
            documents.upload(actor, id, title, kind, file.getContentType(), bytes);
            return "document.uploaded";
        });
    }

    /** A physician releases a result to the patient (ADR 0044); the gateway decides and audits it as a change. */
    @PostMapping("/patients/{id}/observations/{observationId}/release")
    String releaseObservation(Actor actor, @PathVariable long id, @PathVariable long observationId, HttpServletRequest request,
                              RedirectAttributes redirect) {
        return change(id, "observations", request, redirect, () -> {
            observations.release(actor, observationId);
            return "observation.released";
        });
    }

    /** A physician releases a document to the patient (ADR 0044); the gateway decides and audits it as a change. */
    @PostMapping("/patients/{id}/documents/{documentId}/release")
    String releaseDocument(Actor actor, @PathVariable long id, @PathVariable long documentId, HttpServletRequest request,
                           RedirectAttributes redirect) {
        return change(id, "documents", request, redirect, () -> {
            documents.release(actor, documentId);
            return "document.released";
        });
    }

    /**
     * A document's content. Only PDF and images open in the browser; anything else downloads, and the answer is
     * sandboxed, so an uploaded HTML file can never run as this application.
     */
    @GetMapping("/documents/{documentId}/view")
    ResponseEntity<byte[]> viewDocument(Actor actor, @PathVariable long documentId) {
        DocumentService.Content content = documents.content(actor, documentId);
        String type = content.document().contentType();
        boolean inline = Set.of("application/pdf", "image/png", "image/jpeg").contains(type);
        return ResponseEntity.ok()
                .contentType(inline ? MediaType.parseMediaType(type) : MediaType.APPLICATION_OCTET_STREAM)
                .header(HttpHeaders.CONTENT_DISPOSITION, (inline ? ContentDisposition.inline() : ContentDisposition.attachment())
                        .filename(content.document().title().replaceAll("[^\\p{L}\\p{N} ._-]", "_"), java.nio.charset.StandardCharsets.UTF_8)
                        .build().toString())
                .header("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(content.bytes());
    }

    // ----

    /** Runs a change; on a refusal the person comes back to the tab with the message and what they typed. */
    private String change(long patientId, String tab, HttpServletRequest request, RedirectAttributes redirect, Supplier<String> action) {
        try {
            redirect.addFlashAttribute("notice", action.get());
        } catch (InvalidInputException | ConflictException e) {
            redirect.addFlashAttribute("error", e.getMessage());
            redirect.addFlashAttribute("form", formOf(request));
        }
        return "redirect:/patients/" + patientId + "?tab=" + tab;
    }

    private static Map<String, String> formOf(HttpServletRequest request) {
        Map<String, String> form = new HashMap<>();
        request.getParameterMap().forEach((k, v) -> {
            if (!k.startsWith("_") && v.length > 0) {
                form.put(k, v[0]);
            }
        });
        return form;
    }

    private List<String> visibleTabs(Actor actor) {
        Set<Section> sections = ChartService.sectionsOf(actor);
        return TABS.stream().filter(t -> t.equals("summary") || sections.contains(sectionOf(t))).toList();
    }

    private void addNames(Model model, List<Long> staffIds) {
        model.addAttribute("staffNames", organization.staffNames(new java.util.HashSet<>(staffIds)));
    }

    private Map<Integer, String> unitNames(Actor actor) {
        Map<Integer, String> names = new HashMap<>();
        for (Integer facility : actor.facilityIds()) {
            organization.units(facility).forEach(u -> names.put(u.id(), u.name()));
        }
        return names;
    }

    private Instant clockNow() {
        return clock.instant();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
