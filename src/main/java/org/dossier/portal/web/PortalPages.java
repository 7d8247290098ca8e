package org.dossier.portal.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.TooManyRequestsException;
import org.dossier.platform.UnauthorizedException;
import org.dossier.portal.PortalAccounts;
import org.dossier.portal.PortalCase;
import org.dossier.portal.PortalCases;
import org.dossier.portal.PortalCorrection;
import org.dossier.portal.PortalCorrections;
import org.dossier.portal.PortalGuardians;
import org.dossier.portal.PortalRecord;
import org.dossier.portal.PortalSessions;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.time.LocalDate;
import java.util.List;

/**
 * The patient's screens (ADR 0039): sign-in with password then authenticator code, enrolment with the desk's code, the
 * record, who opened it, and the cases opened about an access. Phone-sized, French and English like the staff screens.
 */
@Controller
class PortalPages {

    private final PortalAccounts accounts;
    private final PortalSessions sessions;
    private final PortalRecord record;
    private final PortalCases cases;
    private final PortalCorrections corrections;
    private final PortalGuardians guardians;

    PortalPages(PortalAccounts accounts, PortalSessions sessions, PortalRecord record, PortalCases cases, PortalCorrections corrections,
                PortalGuardians guardians) {
        this.guardians = guardians;
        this.accounts = accounts;
        this.sessions = sessions;
        this.record = record;
        this.cases = cases;
        this.corrections = corrections;
    }

    /** A session that ended under the page (its 12 hours passed): back to the sign-in, as the chain does for no session. */
    @org.springframework.web.bind.annotation.ExceptionHandler(UnauthorizedException.class)
    String ended() {
        return "redirect:/portal/signin";
    }

    @GetMapping({"/portal", "/portal/"})
    String home() {
        return "redirect:/portal/record";
    }

    /**
     * "Records I look after" (ADR 0050), on every signed-in page: the minors' records the account holds a link to, and the
     * one the session acts for, if any. Nothing for a page before the sign-in.
     */
    @org.springframework.web.bind.annotation.ModelAttribute("guardianship")
    PortalGuardians.Guardianship guardianship(HttpServletRequest request) {
        if (!sessions.signedIn()) {
            return null;
        }
        return guardians.guardianship(sessions.actor(request), sessions.actingFor(request));
    }

    /** Switches to a minor's record the account holds a link to; the gateway checks the link again at each read. */
    @PostMapping("/portal/acting-for")
    String actFor(@RequestParam(defaultValue = "0") long patientId, HttpServletRequest request, RedirectAttributes redirect) {
        if (!guardians.guardianship(sessions.actor(request), null).minors().contains(patientId)) {
            redirect.addFlashAttribute("errorKey", "portal.guardian.noLink");
            sessions.actFor(request, null);
        } else {
            sessions.actFor(request, patientId);
        }
        return "redirect:/portal/record";
    }

    /** Back to the account's own record. */
    @PostMapping("/portal/acting-for/self")
    String actForSelf(HttpServletRequest request) {
        sessions.actFor(request, null);
        return "redirect:/portal/record";
    }

    @GetMapping("/portal/signin")
    String signIn() {
        return "portal/signin";
    }

    @PostMapping("/portal/signin")
    String password(@RequestParam(defaultValue = "") String username, @RequestParam(defaultValue = "") String password,
                    HttpServletRequest request, Model model) {
        try {
            long account = accounts.checkPassword(username, password, request.getRemoteAddr(), request.getHeader("User-Agent"));
            sessions.remember(request, PortalSessions.PENDING_SIGN_IN, account);
            return "redirect:/portal/signin/code";
        } catch (UnauthorizedException | TooManyRequestsException refused) {
            model.addAttribute("errorKey", refused instanceof TooManyRequestsException ? "portal.signin.throttled" : "portal.signin.failed");
            return "portal/signin";
        }
    }

    @GetMapping("/portal/signin/code")
    String codeStep(HttpServletRequest request) {
        return sessions.remembered(request, PortalSessions.PENDING_SIGN_IN) == 0 ? "redirect:/portal/signin" : "portal/code";
    }

    @PostMapping("/portal/signin/code")
    String code(@RequestParam(defaultValue = "") String code, HttpServletRequest request, HttpServletResponse response, Model model) {
        long account = sessions.remembered(request, PortalSessions.PENDING_SIGN_IN);
        if (account == 0) {
            return "redirect:/portal/signin";
        }
        try {
            sessions.signIn(request, response, accounts.checkCode(account, code, request.getRemoteAddr(), request.getHeader("User-Agent")));
            // Signing in for one of the patient's apps (ADR 0045): back to its authorization request.
            String app = org.dossier.identity.PatientSignIns.appToReturnTo(request, response);
            return "redirect:" + (app != null ? app : "/portal/record");
        } catch (UnauthorizedException | TooManyRequestsException refused) {
            model.addAttribute("errorKey", refused instanceof TooManyRequestsException ? "portal.signin.throttled" : "portal.code.failed");
            return "portal/code";
        }
    }

    @GetMapping("/portal/enrol")
    String enrolment() {
        return "portal/enrol";
    }

    @PostMapping("/portal/enrol")
    String enrol(@RequestParam(defaultValue = "") String code, @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate birthDate,
                 @RequestParam(defaultValue = "") String username, @RequestParam(defaultValue = "") String password,
                 HttpServletRequest request, Model model) {
        try {
            PortalAccounts.Enrolment started = accounts.enrol(code, birthDate, username, password, request.getRemoteAddr(),
                    request.getHeader("User-Agent"));
            sessions.remember(request, PortalSessions.PENDING_ENROLMENT, started.accountId());
            model.addAttribute("enrolment", started);
            return "portal/authenticator";
        } catch (InvalidInputException invalid) {
            model.addAttribute("errors", invalid.errors());
            model.addAttribute("username", username);
            return "portal/enrol";
        } catch (TooManyRequestsException throttled) {
            model.addAttribute("errorKey", "portal.signin.throttled");
            return "portal/enrol";
        }
    }

    @PostMapping("/portal/enrol/authenticator")
    String confirm(@RequestParam(defaultValue = "") String code, HttpServletRequest request, Model model, RedirectAttributes redirect) {
        long account = sessions.remembered(request, PortalSessions.PENDING_ENROLMENT);
        if (account == 0) {
            return "redirect:/portal/enrol";
        }
        try {
            accounts.confirmAuthenticator(account, code, request.getRemoteAddr(), request.getHeader("User-Agent"));
            sessions.forget(request, PortalSessions.PENDING_ENROLMENT);
            redirect.addFlashAttribute("notice", "portal.enrolled");
            return "redirect:/portal/signin";
        } catch (InvalidInputException | TooManyRequestsException refused) {
            model.addAttribute("errors", refused instanceof InvalidInputException i ? i.errors() : List.of());
            model.addAttribute("errorKey", refused instanceof TooManyRequestsException ? "portal.signin.throttled" : null);
            model.addAttribute("confirming", true);
            return "portal/authenticator";
        }
    }

    @GetMapping("/portal/record")
    String myRecord(HttpServletRequest request, Model model) {
        model.addAttribute("record", record.mine(sessions.actor(request)));
        return "portal/record";
    }

    /** "Request a correction" of the identity or contacts (ADR 0040): it waits for the front desk, its answer shows on the record. */
    @PostMapping("/portal/record/correction")
    String requestCorrection(@RequestParam(required = false) PortalCorrection.About about, @RequestParam(defaultValue = "") String message,
                             HttpServletRequest request, RedirectAttributes redirect) {
        try {
            corrections.request(sessions.actor(request), about, message);
            redirect.addFlashAttribute("notice", "portal.correction.sent");
        } catch (InvalidInputException | org.dossier.platform.ForbiddenException invalid) {
            redirect.addFlashAttribute("error", invalid.getMessage());
        }
        return "redirect:/portal/record#corrections";
    }

    /** Cancels an upcoming appointment, at least 24 hours before its start (ADR 0040); a refusal is said on the record page. */
    @PostMapping("/portal/appointments/{id}/cancel")
    String cancelAppointment(@org.springframework.web.bind.annotation.PathVariable long id, @RequestParam(defaultValue = "-1") int version,
                             @RequestParam(defaultValue = "") String reason, HttpServletRequest request, RedirectAttributes redirect) {
        try {
            record.cancel(sessions.actor(request), id, version, reason);
            redirect.addFlashAttribute("notice", "portal.appointment.cancelled");
        } catch (InvalidInputException | org.dossier.platform.ConflictException | org.dossier.platform.ForbiddenException refused) {
            redirect.addFlashAttribute("error", refused.getMessage());
        }
        return "redirect:/portal/record#appointments";
    }

    @GetMapping("/portal/results")
    String results(HttpServletRequest request, Model model) {
        model.addAttribute("results", record.results(sessions.actor(request)));
        return "portal/results";
    }

    @GetMapping("/portal/documents")
    String documents(HttpServletRequest request, Model model) {
        model.addAttribute("documents", record.documents(sessions.actor(request)));
        return "portal/documents";
    }

    @GetMapping("/portal/invoices")
    String invoices(HttpServletRequest request, Model model) {
        model.addAttribute("invoices", record.invoices(sessions.actor(request)));
        return "portal/invoices";
    }

    @GetMapping("/portal/accesses")
    String accesses(@RequestParam(defaultValue = "0") int page, HttpServletRequest request, Model model) {
        model.addAttribute("accesses", cases.accesses(sessions.actor(request), Math.max(0, Math.min(page, 10_000))));
        return "portal/accesses";
    }

    @PostMapping("/portal/accesses/flag")
    String flag(@RequestParam(name = "seq", required = false) List<Long> seqs, @RequestParam(defaultValue = "") String note,
                HttpServletRequest request, RedirectAttributes redirect) {
        try {
            cases.flag(sessions.actor(request), seqs, note);
            redirect.addFlashAttribute("notice", "portal.flagged");
            return "redirect:/portal/cases";
        } catch (InvalidInputException | org.dossier.platform.ForbiddenException invalid) {
            redirect.addFlashAttribute("error", invalid.getMessage());
            return "redirect:/portal/accesses";
        }
    }

    @GetMapping("/portal/cases")
    String myCases(HttpServletRequest request, Model model) {
        List<PortalCase> mine = cases.myCases(sessions.actor(request));
        model.addAttribute("cases", mine);
        model.addAttribute("issuers", cases.issuers(mine));
        return "portal/cases";
    }
}
