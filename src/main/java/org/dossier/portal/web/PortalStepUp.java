package org.dossier.portal.web;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.platform.TooManyRequestsException;
import org.dossier.platform.UnauthorizedException;
import org.dossier.portal.PortalSessions;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * "Confirm it is you": a download of the patient's record (a document, the access list) asks for the authenticator's
 * code when the last one was typed more than five minutes ago, as staff are asked before a break-the-glass (ADR 0049).
 */
@Controller
class PortalStepUp {

    /** Where a confirmation may lead back to: a page of the portal, never another site. */
    private static final Pattern NEXT = Pattern.compile("/portal/[A-Za-z0-9/._-]{1,200}");

    private final PortalSessions sessions;

    PortalStepUp(PortalSessions sessions) {
        this.sessions = sessions;
    }

    /** The answer of a download asked without a recent code: to the confirmation, then back to the download. */
    static <T> ResponseEntity<T> confirmFirst(HttpServletRequest request) {
        URI to = UriComponentsBuilder.fromPath("/portal/confirm").queryParam("next", request.getRequestURI()).build().encode().toUri();
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(to).build();
    }

    @GetMapping("/portal/confirm")
    String page(@RequestParam(defaultValue = "/portal/record") String next, HttpServletRequest request, Model model) {
        sessions.actor(request);
        model.addAttribute("next", safe(next));
        return "portal/confirm";
    }

    @PostMapping("/portal/confirm")
    String confirm(@RequestParam(defaultValue = "") String code, @RequestParam(defaultValue = "/portal/record") String next,
                   HttpServletRequest request, Model model) {
        try {
            sessions.confirm(request, code);
            return "redirect:" + safe(next);
        } catch (UnauthorizedException | TooManyRequestsException refused) {
            model.addAttribute("next", safe(next));
            model.addAttribute("errorKey", refused instanceof TooManyRequestsException ? "portal.signin.throttled" : "portal.code.failed");
            return "portal/confirm";
        }
    }

    private static String safe(String next) {
        return next != null && NEXT.matcher(next).matches() && !next.contains("..") ? next : "/portal/record";
    }
}
