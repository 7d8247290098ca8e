package org.dossier.identity.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.identity.AuthService;
import org.dossier.organization.Actor;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

@RestController
@RequestMapping("/api")
@Tag(name = "Authentication", description = "API tokens, enrolment, step-up, sessions. Interactive sign-in: POST /login "
        + "(username, password), then POST /login/totp (code), POST /login/recovery (code) or a passkey (/login/webauthn).")
class AuthController {

    private final AuthService auth;

    AuthController(AuthService auth) {
        this.auth = auth;
    }

    record TokenRequest(String username, String password, String code, Integer lifetimeMinutes) {
    }

    record Code(String code) {
    }

    record PasswordChange(String currentPassword, String newPassword) {
    }

    record Reason(String reason) {
    }

    @PostMapping("/auth/token")
    @Operation(summary = "Get an API token", description = "Username, password and a current authenticator (TOTP) code. "
            + "The token is opaque, valid at most 1 hour, and sent as 'Authorization: Bearer <token>'.")
    ResponseEntity<AuthService.IssuedToken> token(@RequestBody TokenRequest body, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(auth.issueToken(body.username(), body.password(), body.code(), body.lifetimeMinutes(), request));
    }

    @GetMapping("/auth/csrf")
    @Operation(summary = "The CSRF token of this browser session, to send with every state-changing request")
    Map<String, String> csrf(CsrfToken token) {
        return Map.of("headerName", token.getHeaderName(), "parameterName", token.getParameterName(), "token", token.getToken());
    }

    @GetMapping("/auth/tokens")
    List<AuthService.TokenView> tokens(Actor actor) {
        return auth.tokens(actor);
    }

    @DeleteMapping("/auth/tokens/{id}")
    ResponseEntity<Void> revokeToken(Actor actor, @PathVariable long id, HttpServletRequest request) {
        auth.revokeToken(actor, id, request);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/auth/sessions")
    @Operation(summary = "My live sessions")
    List<AuthService.SessionView> sessions(Actor actor) {
        return auth.sessions(actor);
    }

    @DeleteMapping("/auth/sessions/{ref}")
    @Operation(summary = "End one of my sessions")
    ResponseEntity<Void> revokeSession(Actor actor, @PathVariable String ref, HttpServletRequest request) {
        auth.revokeSession(actor, ref, request);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/auth/step-up")
    @Operation(summary = "Confirm a second factor now, before a sensitive action (valid 5 minutes)")
    ResponseEntity<Void> stepUp(@RequestBody Code body, HttpServletRequest request, HttpServletResponse response) {
        auth.stepUp(body.code(), request, response);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/auth/enrolment/totp")
    @Operation(summary = "Start enrolling an authenticator app: returns the secret, its otpauth URI and a QR code")
    AuthService.TotpEnrolment startTotp() {
        return auth.startTotpEnrolment(SecurityContextHolder.getContext().getAuthentication());
    }

    @PostMapping("/auth/enrolment/totp/confirm")
    @Operation(summary = "Confirm the authenticator with its first code; returns ten recovery codes, shown once")
    Map<String, Object> confirmTotp(@RequestBody Code body, HttpServletRequest request, HttpServletResponse response) {
        return Map.of("recoveryCodes", auth.confirmTotpEnrolment(body.code(), request, response));
    }

    @PostMapping("/auth/recovery-codes")
    @Operation(summary = "Replace my recovery codes (needs a fresh second factor)")
    Map<String, Object> recoveryCodes(Actor actor, HttpServletRequest request) {
        return Map.of("recoveryCodes", auth.regenerateRecoveryCodes(actor, request));
    }

    @PostMapping("/auth/password")
    @Operation(summary = "Set my password (first time, after an enrolment link) or change it (current password and a fresh second factor)")
    ResponseEntity<Void> password(@RequestBody PasswordChange body, HttpServletRequest request) {
        auth.changePassword(body.currentPassword(), body.newPassword(), request);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/staff/{id}/enrolment-link")
    @Operation(summary = "One-time enrolment link for a new account (ADMIN, fresh second factor); valid 72 hours")
    ResponseEntity<AuthService.EnrolmentLink> enrolmentLink(Actor actor, @PathVariable long id, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.CREATED).body(auth.enrolmentLink(actor, id, request));
    }

    @PostMapping("/staff/{id}/revoke-sessions")
    @Operation(summary = "End every session and token of an account (ADMIN or SECURITY_OFFICER, fresh second factor)")
    Map<String, Object> revokeAll(Actor actor, @PathVariable long id, @RequestBody(required = false) Reason body) {
        return Map.of("revoked", auth.revokeEverything(actor, id, body == null ? null : body.reason()));
    }
}
