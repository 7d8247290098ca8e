package org.dossier.smart.web;

import jakarta.servlet.http.HttpServletResponse;
import org.dossier.identity.SmartApps;
import org.dossier.smart.SmartLaunches;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.util.List;

/**
 * The consent page of a SMART app's authorization request: who asks, for what (each scope spelled out), and — for a
 * standalone launch with {@code launch/patient} — which patient. The gateway decides whether the person may open the
 * patient they pick (refused and audited otherwise); the consent itself is then handed to the authorization server.
 */
@Controller
class ConsentPage {

    private final SmartApps apps;
    private final SmartLaunches launches;

    ConsentPage(SmartApps apps, SmartLaunches launches) {
        this.apps = apps;
        this.launches = launches;
    }

    @GetMapping("/smart/consent")
    String consent(Actor actor, @RequestParam(defaultValue = "") String state, Model model) {
        SmartApps.Consent consent = apps.pendingConsent(actor, state)
                .orElseThrow(() -> new NotFoundException("No authorization waiting for your consent: start again from the app"));
        model.addAttribute("consent", consent);
        model.addAttribute("state", state);
        model.addAttribute("scopes", consent.scopes().stream().map(ConsentPage::describe).toList());
        // A standalone launch offers the person's patients of the day, listed (and audited as a list) as "my day" does.
        model.addAttribute("today", consent.needsPatient() ? launches.workOfTheDay(actor) : List.of());
        return "smart/consent";
    }

    /**
     * The consent form: the patient picked (if asked) is decided by the gateway and bound to the authorization, then the
     * same form goes on, unchanged (307), to the authorization endpoint, which issues the code.
     */
    @PostMapping("/smart/consent")
    void consented(Actor actor, @RequestParam(defaultValue = "") String state, @RequestParam(required = false) String patient,
                   @RequestParam(required = false) String patientNumber, HttpServletResponse response) {
        SmartApps.Consent consent = apps.pendingConsent(actor, state)
                .orElseThrow(() -> new NotFoundException("No authorization waiting for your consent: start again from the app"));
        if (consent.needsPatient()) {
            // The gateway decides, audits and charges: a patient the person's work does not explain is refused here.
            // One of the day's patients (picked in the list), or one typed by number.
            launches.pickPatient(actor, state, patientId(patient == null || patient.isBlank() ? patientNumber : patient));
        }
        response.setStatus(HttpStatus.TEMPORARY_REDIRECT.value());
        response.setHeader("Location", "/oauth2/authorize");
    }

    private static long patientId(String given) {
        String value = given == null ? "" : given.strip();
        if (!value.matches("\\d{1,18}")) {
            throw new InvalidInputException("patient", "the number of the patient the app is for");
        }
        return Long.parseLong(value);
    }

    /** A scope and the message key that says what it lets the app do. */
    record Described(String scope, String key, List<String> args) {
    }

    static Described describe(String scope) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(patient|user)/(\\*|[A-Za-z]+)\\.([a-z*]+)").matcher(scope);
        if (m.matches()) {
            String what = m.group(3);
            boolean writes = what.equals("write") || what.equals("*") || what.contains("c") || what.contains("u") || what.contains("d");
            boolean reads = what.equals("read") || what.equals("*") || what.contains("r") || what.contains("s");
            String mode = reads && writes ? "readwrite" : writes ? "write" : "read";
            return new Described(scope, "smart.scope." + m.group(1) + "." + mode, List.of(m.group(2).equals("*") ? "*" : m.group(2)));
        }
        return new Described(scope, switch (scope) {
            case "openid", "profile" -> "smart.scope.openid";
            case "fhirUser" -> "smart.scope.fhirUser";
            case "launch" -> "smart.scope.launch";
            case "launch/patient" -> "smart.scope.launchPatient";
            case "offline_access", "online_access" -> "smart.scope.offline";
            default -> "smart.scope.other";
        }, List.of());
    }
}
