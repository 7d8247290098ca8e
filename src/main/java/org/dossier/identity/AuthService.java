package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.platform.ConflictException;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.TooManyRequestsException;
import org.dossier.platform.UnauthorizedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.ott.GenerateOneTimeTokenRequest;
import org.springframework.security.authentication.ott.OneTimeToken;
import org.springframework.security.authentication.ott.OneTimeTokenService;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Tokens, enrolment, step-up, passwords and sessions: the account-facing side of signing in. */
@Service
public class AuthService {

    /** The session attribute holding the {@code Locale} the person chose for the screens (read by the web layer). */
    public static final String LANGUAGE_ATTRIBUTE = "dossier.language";

    static final Duration ENROLMENT_LINK_LIFETIME = Duration.ofHours(72);

    private final ThrottledPasswordProvider authenticationManager;
    private final TotpService totp;
    private final RecoveryCodes recoveryCodes;
    private final ApiTokens tokens;
    private final SessionRegistry sessions;
    private final LoginThrottle throttle;
    private final SecurityEvents events;
    private final OrganizationService organization;
    private final CredentialService credentials;
    private final OneTimeTokenService oneTimeTokens;
    private final AccountSecurity accountSecurity;
    private final PasswordEncoder encoder;
    private final CredentialRepository credentialRepository;
    private final LoginResponses loginResponses;
    private final SecondFactorLock secondFactorLock;
    private final FactorChanges factorChanges;
    private final Clock clock;
    private final HttpSessionSecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    AuthService(ThrottledPasswordProvider authenticationManager, TotpService totp, RecoveryCodes recoveryCodes, ApiTokens tokens,
                SessionRegistry sessions, LoginThrottle throttle, SecurityEvents events, OrganizationService organization,
                CredentialService credentials, OneTimeTokenService oneTimeTokens, AccountSecurity accountSecurity, PasswordEncoder encoder,
                CredentialRepository credentialRepository, LoginResponses loginResponses, SecondFactorLock secondFactorLock, FactorChanges factorChanges, Clock clock) {
        this.loginResponses = loginResponses;
        this.factorChanges = factorChanges;
        this.secondFactorLock = secondFactorLock;
        this.authenticationManager = authenticationManager;
        this.totp = totp;
        this.recoveryCodes = recoveryCodes;
        this.tokens = tokens;
        this.sessions = sessions;
        this.throttle = throttle;
        this.events = events;
        this.organization = organization;
        this.credentials = credentials;
        this.oneTimeTokens = oneTimeTokens;
        this.accountSecurity = accountSecurity;
        this.encoder = encoder;
        this.credentialRepository = credentialRepository;
        this.clock = clock;
    }

    /**
     * Where a browser's sign-in stands: {@code SIGNED_IN}, {@code SECOND_FACTOR_REQUIRED} (with the factors the
     * account has), {@code ENROLMENT_REQUIRED} (no factor yet), or {@code SIGNED_OUT}; and whether the session came
     * from a one-time enrolment link, whose holder must set a password first.
     */
    public record SignInStep(String status, String username, boolean totp, boolean passkey, boolean viaEnrolmentLink,
                             Instant lastSecondFactor) {
    }

    public SignInStep signInStep(Authentication authentication) {
        StaffMember member = authentication == null ? null : organization.staffByUsername(authentication.getName()).orElse(null);
        if (member == null || !(Factors.firstFactor(authentication) || Factors.full(authentication))) {
            return new SignInStep("SIGNED_OUT", null, false, false, false, null);
        }
        boolean hasTotp = totp.isConfirmed(member.id());
        boolean hasPasskey = loginResponses.hasPasskey(member.username());
        String status = Factors.full(authentication) ? "SIGNED_IN" : hasTotp || hasPasskey ? "SECOND_FACTOR_REQUIRED" : "ENROLMENT_REQUIRED";
        return new SignInStep(status, member.username(), hasTotp, hasPasskey, Factors.has(authentication, org.springframework.security.core.authority.FactorGrantedAuthority.OTT_AUTHORITY),
                Factors.lastSecondFactor(authentication));
    }

    /** A newly issued API token: its value is shown once. */
    public record IssuedToken(String token, String tokenType, long expiresIn, Instant expiresAt, long tokenId) {
    }

    public record TokenView(long id, Instant issuedAt, Instant expiresAt, String sourceAddress, String userAgent) {
    }

    public record SessionView(String ref, Instant createdAt, Instant lastAccessAt, String sourceAddress, String userAgent, boolean current) {
    }

    public record TotpEnrolment(String secret, String otpauthUri, String qrCode) {
    }

    public record EnrolmentLink(String token, String loginPath, Instant expiresAt) {
    }

    /**
     * Username, password and a current authenticator code give a bearer token of at most an hour. Every
     * wrong part gets the same answer; attempts are throttled like interactive sign-ins.
     */
    @Transactional
    public IssuedToken issueToken(String username, String password, String code, Integer lifetimeMinutes, HttpServletRequest request) {
        UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated(
                username == null ? "" : username, password == null ? "" : password);
        attempt.setDetails(new WebAuthenticationDetails(request));
        Authentication authenticated;
        try {
            authenticated = authenticationManager.authenticate(attempt);
        } catch (ThrottledPasswordProvider.ThrottledException e) {
            throw new TooManyRequestsException(e.getMessage(), e.cause.retryAfter());
        } catch (ThrottledPasswordProvider.OversizedException e) {
            throw new org.dossier.platform.BadRequestException("credentials-too-long", e.getMessage());
        } catch (AuthenticationException e) {
            throw new UnauthorizedException("Invalid credentials");
        }
        StaffMember member = organization.staffByUsername(authenticated.getName()).orElseThrow(() -> new UnauthorizedException("Invalid credentials"));
        // The right password does not reopen a locked second factor: the code is not even tried.
        secondFactorLock.check(member);
        if (!totp.verify(member.id(), code)) {
            throttle.failed(LoginThrottle.accountKey(member.username()), LoginThrottle.addressKey(request.getRemoteAddr()));
            events.publish(SecurityEvent.Type.MFA_FAILED, member.id(), member.username(), request, "totp for an API token");
            secondFactorLock.refuseIf(secondFactorLock.failed(member, "/api/auth/token", request.getRemoteAddr(),
                    request.getHeader("User-Agent")), member);
            throw new UnauthorizedException("Invalid credentials");
        }
        secondFactorLock.succeeded(member.id());
        Duration lifetime = lifetimeMinutes == null ? ApiTokens.MAX_LIFETIME : Duration.ofMinutes(lifetimeMinutes);
        ApiTokens.Issued issued = tokens.issue(member.id(), lifetime, request.getRemoteAddr(), request.getHeader("User-Agent"));
        events.publish(SecurityEvent.Type.TOKEN_ISSUED, member.id(), member.username(), request, "token " + issued.info().id());
        return new IssuedToken(issued.value(), "Bearer", Duration.between(clock.instant(), issued.info().expiresAt()).toSeconds(),
                issued.info().expiresAt(), issued.info().id());
    }

    public List<TokenView> tokens(Actor actor) {
        return tokens.liveOf(actor.staffId()).stream()
                .map(t -> new TokenView(t.id(), t.issuedAt(), t.expiresAt(), t.sourceAddress(), t.userAgent())).toList();
    }

    @Transactional
    public void revokeToken(Actor actor, long tokenId, HttpServletRequest request) {
        ApiTokens.TokenInfo t = tokens.find(tokenId).filter(x -> x.staffId() == actor.staffId())
                .orElseThrow(() -> new NotFoundException("No token " + tokenId + " of yours"));
        if (tokens.revoke(t.id(), actor.staffId())) {
            events.publish(SecurityEvent.Type.TOKEN_REVOKED, actor.staffId(), actor.username(), request, "token " + tokenId);
        }
    }

    public List<SessionView> sessions(Actor actor) {
        String current = actor.sessionId() != null && actor.sessionId().startsWith("session:") ? actor.sessionId().substring(8) : null;
        return sessions.live(actor.staffId(), current).stream()
                .map(s -> new SessionView(s.ref(), s.createdAt(), s.lastAccessAt(), s.sourceAddress(), s.userAgent(), s.current())).toList();
    }

    @Transactional
    public void revokeSession(Actor actor, String ref, HttpServletRequest request) {
        if (!sessions.revoke(actor.staffId(), ref, actor.staffId())) {
            throw new NotFoundException("No live session " + ref + " of yours");
        }
        events.publish(SecurityEvent.Type.SESSION_REVOKED, actor.staffId(), actor.username(), request, "session " + ref);
    }

    /** An administrator or the security officer ends every session and token of an account (after a step-up). */
    @Transactional
    public int revokeEverything(Actor actor, long staffId, String reason) {
        actor.requireAnyRole("revoke other accounts' sessions", Role.ADMIN, Role.SECURITY_OFFICER);
        actor.requireFreshSecondFactor(clock.instant());
        StaffMember target = organization.staffMember(staffId);
        if (actor.hasRole(Role.ADMIN) && !actor.hasRole(Role.SECURITY_OFFICER)
                && target.facilityIds().stream().noneMatch(actor::worksIn)) {
            throw new ForbiddenException("You administer no facility of this account");
        }
        return accountSecurity.revokeEverything(staffId, actor.staffId(), reason == null || reason.isBlank() ? "revoked by " + actor.username() : reason);
    }

    /** Confirms a second factor now (step-up): an authenticator code refreshes the session's factor. */
    @Transactional
    public void stepUp(String code, HttpServletRequest request, HttpServletResponse response) {
        Authentication current = SecurityContextHolder.getContext().getAuthentication();
        if (Factors.token(current)) {
            throw new ForbiddenException("An API token cannot step up: request a new token, or use a signed-in session");
        }
        StaffMember member = organization.staffByUsername(current.getName()).orElseThrow(() -> new UnauthorizedException("Not signed in"));
        String accountKey = LoginThrottle.accountKey(member.username());
        throttle.check(accountKey, LoginThrottle.addressKey(request.getRemoteAddr()));
        secondFactorLock.check(member);
        if (!totp.verify(member.id(), code)) {
            throttle.failed(accountKey, LoginThrottle.addressKey(request.getRemoteAddr()));
            events.publish(SecurityEvent.Type.STEP_UP_FAILED, member.id(), member.username(), request, "totp");
            secondFactorLock.refuseIf(secondFactorLock.failed(member, "step-up", request.getRemoteAddr(), request.getHeader("User-Agent")),
                    member);
            throw new UnauthorizedException("Invalid code");
        }
        secondFactorLock.succeeded(member.id());
        replaceAuthentication(Factors.plus(current, Factors.TOTP, clock.instant()), request, response);
        events.publish(SecurityEvent.Type.STEP_UP_SUCCEEDED, member.id(), member.username(), request, "totp");
    }

    /** Starts an authenticator enrolment: the secret, its otpauth URI and a QR code to scan. */
    @Transactional
    public TotpEnrolment startTotpEnrolment(Authentication authentication) {
        StaffMember member = member(authentication);
        // Adding or replacing a factor: a fresh second factor in a browser session, or an account's first enrolment.
        factorChanges.require(authentication, "start authenticator enrolment", null);
        TotpService.Enrolment e = totp.start(member.id(), member.username());
        return new TotpEnrolment(e.secret(), e.otpauthUri(), QrCodes.svgDataUri(e.otpauthUri()));
    }

    /** Confirms the enrolment with a first code: the session counts the factor, and ten recovery codes are returned once. */
    @Transactional
    public List<String> confirmTotpEnrolment(String code, HttpServletRequest request, HttpServletResponse response) {
        Authentication current = SecurityContextHolder.getContext().getAuthentication();
        StaffMember member = member(current);
        factorChanges.require(current, "confirm authenticator enrolment", request);
        if (!totp.confirm(member.id(), code)) {
            events.publish(SecurityEvent.Type.MFA_FAILED, member.id(), member.username(), request, "totp enrolment");
            throw new InvalidInputException("code", "this code does not match; check the time of your device and type the current code");
        }
        replaceAuthentication(Factors.plus(current, Factors.TOTP, clock.instant()), request, response);
        events.publish(SecurityEvent.Type.FACTOR_ENROLLED, member.id(), member.username(), request, "totp");
        List<String> codes = recoveryCodes.regenerate(member.id());
        events.publish(SecurityEvent.Type.RECOVERY_CODES_REGENERATED, member.id(), member.username(), request, "at enrolment");
        return codes;
    }

    @Transactional
    public List<String> regenerateRecoveryCodes(Actor actor, HttpServletRequest request) {
        factorChanges.require(SecurityContextHolder.getContext().getAuthentication(), "regenerate recovery codes", request);
        actor.requireFreshSecondFactor(clock.instant());
        List<String> codes = recoveryCodes.regenerate(actor.staffId());
        events.publish(SecurityEvent.Type.RECOVERY_CODES_REGENERATED, actor.staffId(), actor.username(), request, null);
        return codes;
    }

    /**
     * Sets the password: once after an enrolment link, otherwise with the current password and a fresh
     * second factor.
     */
    @Transactional
    public void changePassword(String currentPassword, String newPassword, HttpServletRequest request) {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        StaffMember member = member(a);
        boolean viaEnrolmentLink = Factors.has(a, "FACTOR_OTT") && credentialRepository.passwordHash(member.id()).isEmpty();
        if (!viaEnrolmentLink) {
            if (Factors.token(a)) {
                throw new ForbiddenException("Change your password from a signed-in session, not with an API token");
            }
            Instant last = Factors.lastSecondFactor(a);
            if (last == null || last.isBefore(clock.instant().minus(Actor.STEP_UP_FRESHNESS))) {
                throw new org.dossier.platform.StepUpRequiredException("Confirm with your second factor before changing your password");
            }
            String hash = credentialRepository.passwordHash(member.id()).orElse(StaffUserDetailsService.NO_PASSWORD);
            if (currentPassword == null || !encoder.matches(currentPassword, hash)) {
                throw new InvalidInputException("currentPassword", "is not your current password");
            }
        }
        credentials.setPassword(member, newPassword);
        events.publish(SecurityEvent.Type.PASSWORD_CHANGED, member.id(), member.username(), request,
                viaEnrolmentLink ? "first password" : "changed");
    }

    /** An administrator creates the one-time link with which a new member of staff sets a password and enrols. */
    @Transactional
    public EnrolmentLink enrolmentLink(Actor actor, long staffId, HttpServletRequest request) {
        actor.requireAnyRole("issue enrolment links", Role.ADMIN);
        actor.requireFreshSecondFactor(clock.instant());
        StaffMember target = organization.staffMember(staffId);
        if (target.facilityIds().stream().noneMatch(actor::worksIn)) {
            throw new ForbiddenException("You administer no facility of this account");
        }
        if (credentialRepository.passwordHash(staffId).isPresent() && totp.isConfirmed(staffId)) {
            throw new ConflictException("already-enrolled", target.displayName() + " has already enrolled; to reset, suspend and re-create the account");
        }
        OneTimeToken token = oneTimeTokens.generate(new GenerateOneTimeTokenRequest(target.username(), ENROLMENT_LINK_LIFETIME));
        events.publish(SecurityEvent.Type.ENROLMENT_LINK_ISSUED, staffId, target.username(), request, "by " + actor.username());
        return new EnrolmentLink(token.getTokenValue(), "/login/ott?token=" + token.getTokenValue(), token.getExpiresAt());
    }

    private StaffMember member(Authentication a) {
        if (a == null) {
            throw new UnauthorizedException("Not signed in");
        }
        return organization.staffByUsername(a.getName()).orElseThrow(() -> new UnauthorizedException("Not signed in"));
    }

    private void replaceAuthentication(Authentication next, HttpServletRequest request, HttpServletResponse response) {
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(next);
        SecurityContextHolder.setContext(context);
        if (request.getSession(false) != null) {
            request.changeSessionId();
        }
        contexts.saveContext(context, request, response);
        member(next);
        organization.staffByUsername(next.getName()).ifPresent(m -> sessions.record(request, m.id(), m.username()));
    }
}
