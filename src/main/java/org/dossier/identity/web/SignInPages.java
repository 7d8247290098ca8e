package org.dossier.identity.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.identity.AuthService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.UnauthorizedException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The sign-in screens — password, then a passkey, an authenticator code or a recovery code; first-time enrolment
 * from a one-time link; step-up — and the person's own sessions and language. The forms post to the security
 * filters' own endpoints ({@code /login}, {@code /login/totp}, {@code /login/recovery}, {@code /login/webauthn}).
 */
@Controller
class SignInPages {

    private final AuthService auth;
    private final OrganizationService organization;
    private final java.time.Clock clock;

    SignInPages(AuthService auth, OrganizationService organization, java.time.Clock clock) {
        this.auth = auth;
        this.organization = organization;
        this.clock = clock;
    }

    @GetMapping("/signin")
    String signIn(HttpServletRequest request, Model model) {
        AuthService.SignInStep step = auth.signInStep(SecurityContextHolder.getContext().getAuthentication());
        if (step.status().equals("SIGNED_IN")) {
            return "redirect:/";
        }
        model.addAttribute("throttled", request.getParameter("throttled"));
        return "identity/signin";
    }

    @GetMapping("/signin/link")
    String enrolmentLink(@RequestParam String token, Model model) {
        model.addAttribute("token", token);
        return "identity/link";
    }

    @GetMapping("/signin/second-factor")
    String secondFactor(HttpServletRequest request, Model model) {
        AuthService.SignInStep step = auth.signInStep(SecurityContextHolder.getContext().getAuthentication());
        switch (step.status()) {
            case "SIGNED_IN" -> {
                return "redirect:/";
            }
            case "ENROLMENT_REQUIRED" -> {
                return "redirect:/signin/enrol";
            }
            case "SIGNED_OUT" -> {
                return "redirect:/signin";
            }
            default -> {
            }
        }
        model.addAttribute("step", step);
        model.addAttribute("throttled", request.getParameter("throttled"));
        return "identity/second-factor";
    }

    /**
     * Adding a second factor. An account without an authenticator gets a new secret to scan; one that has it keeps
     * it (viewing this page to add a passkey must not replace a working authenticator), unless the person asks.
     */
    @GetMapping("/signin/enrol")
    String enrol(Model model) {
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        AuthService.SignInStep step = auth.signInStep(authentication);
        model.addAttribute("step", step);
        if (!step.totp()) {
            model.addAttribute("enrolment", auth.startTotpEnrolment(authentication));
        }
        return "identity/enrol";
    }

    @PostMapping("/signin/enrol/replace")
    String replaceAuthenticator(Model model) {
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        model.addAttribute("step", auth.signInStep(authentication));
        model.addAttribute("enrolment", auth.startTotpEnrolment(authentication));
        return "identity/enrol";
    }

    @PostMapping("/signin/enrol")
    String confirmEnrolment(@RequestParam String code, HttpServletRequest request, HttpServletResponse response, Model model) {
        try {
            model.addAttribute("recoveryCodes", auth.confirmTotpEnrolment(code, request, response));
        } catch (InvalidInputException e) {
            // The secret already scanned stays pending: ask again for its code, without a new QR code to scan.
            model.addAttribute("error", e.getMessage());
            model.addAttribute("step", auth.signInStep(SecurityContextHolder.getContext().getAuthentication()));
            model.addAttribute("retryCode", true);
            return "identity/enrol";
        }
        return "identity/recovery-codes";
    }

    @PostMapping("/signin/password")
    String setPassword(@RequestParam String newPassword, @RequestParam(required = false) String currentPassword, HttpServletRequest request,
                       RedirectAttributes redirect) {
        try {
            auth.changePassword(currentPassword, newPassword, request);
            redirect.addFlashAttribute("notice", "password.set");
        } catch (InvalidInputException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/signin/enrol";
    }

    @PostMapping("/step-up")
    String stepUp(@RequestParam String code, @RequestParam(defaultValue = "/") String next, @RequestParam(defaultValue = "") String reason,
                  HttpServletRequest request, HttpServletResponse response, RedirectAttributes redirect) {
        try {
            auth.stepUp(code, request, response);
            if (!reason.isBlank()) {
                // Stands for the X-Dossier-Reason header of the pages that follow, while the second factor is fresh.
                request.getSession().setAttribute(Actor.STEP_UP_REASON_ATTRIBUTE,
                        new String[]{reason.strip(), Long.toString(clock.millis())});
            }
        } catch (UnauthorizedException e) {
            redirect.addFlashAttribute("errorKey", "stepup.invalid");
            redirect.addFlashAttribute("stepUpNeeded", true);
        }
        return "redirect:" + localPath(next);
    }

    @GetMapping("/me/sessions")
    String sessions(Actor actor, Model model) {
        model.addAttribute("sessions", auth.sessions(actor));
        model.addAttribute("language", organization.preferredLanguage(actor.staffId()).orElse(null));
        return "identity/sessions";
    }

    @PostMapping("/me/sessions/{ref}/end")
    String endSession(Actor actor, @PathVariable String ref, HttpServletRequest request, RedirectAttributes redirect) {
        auth.revokeSession(actor, ref, request);
        redirect.addFlashAttribute("notice", "sessions.ended");
        return "redirect:/me/sessions";
    }

    @PostMapping("/me/language")
    String language(Actor actor, @RequestParam String language, HttpServletRequest request) {
        organization.choosePreferredLanguage(actor, language);
        request.getSession().setAttribute(AuthService.LANGUAGE_ATTRIBUTE, java.util.Locale.forLanguageTag(language));
        return "redirect:/me/sessions";
    }

    /** Only a path of this application: never another site (an open redirect would help phishing). */
    static String localPath(String next) {
        return next != null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") ? next : "/";
    }
}
