package org.dossier.portal.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.identity.SmartApps;
import org.dossier.platform.UnauthorizedException;
import org.dossier.portal.PortalApps;
import org.dossier.portal.PortalSessions;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The consent page of a patient's app (ADR 0045), behind the portal's sign-in: which app, and what each scope lets it
 * read of the patient's own record. Allowing it posts here (CSRF-checked by the portal's chain), then on, unchanged (307),
 * to the authorization endpoint, which issues the code; refusing posts straight to the endpoint, which answers the app
 * {@code access_denied}.
 */
@Controller
class PortalAppConsent {

    private static final Pattern CLINICAL = Pattern.compile("patient/(\\*|[A-Za-z]+)\\.([a-z*]+)");

    private final PortalApps apps;
    private final PortalSessions sessions;

    PortalAppConsent(PortalApps apps, PortalSessions sessions) {
        this.apps = apps;
        this.sessions = sessions;
    }

    /** A session that ended under the page: back to the sign-in, as the chain does for no session. */
    @ExceptionHandler(UnauthorizedException.class)
    String ended() {
        return "redirect:/portal/signin";
    }

    @GetMapping("/portal/apps/consent")
    String consent(@RequestParam(defaultValue = "") String state, HttpServletRequest request, HttpServletResponse response, Model model) {
        SmartApps.Consent consent = apps.pending(sessions.actor(request), state);
        // The allowed form ends in a redirect to the app: the page's form-action names the app's registered origins, or the
        // browser stops the redirect (CSP applies form-action to a form's redirects). Only this page, only that app.
        response.setHeader("Content-Security-Policy", org.dossier.identity.PatientFactors.CONTENT_SECURITY_POLICY
                .replace("form-action 'self'", "form-action 'self' " + String.join(" ", apps.redirectOrigins(consent.clientId()))));
        model.addAttribute("consent", consent);
        model.addAttribute("state", state);
        model.addAttribute("scopes", consent.scopes().stream().map(PortalAppConsent::describe).toList());
        return "portal/app-consent";
    }

    @PostMapping("/portal/apps/consent")
    void allow(@RequestParam(defaultValue = "") String state, HttpServletRequest request, HttpServletResponse response) {
        apps.allow(sessions.actor(request), state);
        response.setStatus(HttpStatus.TEMPORARY_REDIRECT.value());
        response.setHeader("Location", "/oauth2/authorize");
    }

    /** A scope and the message key that tells the patient what it lets the app do. */
    record Described(String scope, String key, List<String> args) {
    }

    static Described describe(String scope) {
        Matcher m = CLINICAL.matcher(scope);
        if (m.matches()) {
            return new Described(scope, "portal.apps.scope.read", List.of(m.group(1)));
        }
        return new Described(scope, switch (scope) {
            case "openid" -> "portal.apps.scope.openid";
            case "fhirUser" -> "portal.apps.scope.fhirUser";
            case "launch/patient" -> "portal.apps.scope.launchPatient";
            case "offline_access", "online_access" -> "portal.apps.scope.offline";
            default -> "portal.apps.scope.other";
        }, List.of());
    }
}
