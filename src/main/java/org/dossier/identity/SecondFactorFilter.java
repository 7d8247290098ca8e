package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.StaffMember;
import org.dossier.platform.TooManyRequestsException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.AbstractAuthenticationProcessingFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.http.HttpMethod;

import java.time.Clock;

/**
 * The second step of signing in: an authenticator code ({@code POST /login/totp}) or a recovery code
 * ({@code POST /login/recovery}), parameter {@code code}, after the password. The factor is added to the
 * authentication the password produced.
 */
class SecondFactorFilter extends AbstractAuthenticationProcessingFilter {

    static final String TOTP_PATH = "/login/totp";
    static final String RECOVERY_PATH = "/login/recovery";

    private final TotpService totp;
    private final RecoveryCodes recoveryCodes;
    private final LoginThrottle throttle;
    private final SecurityEvents events;
    private final OrganizationService organization;
    private final SecondFactorLock secondFactorLock;
    private final Clock clock;

    SecondFactorFilter(TotpService totp, RecoveryCodes recoveryCodes, LoginThrottle throttle, SecurityEvents events,
                       OrganizationService organization, SecondFactorLock secondFactorLock, Clock clock) {
        super(new OrRequestMatcher(PathPatternRequestMatcher.pathPattern(HttpMethod.POST, TOTP_PATH),
                PathPatternRequestMatcher.pathPattern(HttpMethod.POST, RECOVERY_PATH)));
        this.totp = totp;
        this.recoveryCodes = recoveryCodes;
        this.throttle = throttle;
        this.events = events;
        this.organization = organization;
        this.secondFactorLock = secondFactorLock;
        this.clock = clock;
        setAuthenticationManager(authentication -> authentication);
    }

    @Override
    public Authentication attemptAuthentication(HttpServletRequest request, HttpServletResponse response) {
        Authentication current = SecurityContextHolder.getContext().getAuthentication();
        if (!Factors.firstFactor(current)) {
            throw new BadCredentialsException("Sign in with your password first");
        }
        StaffMember member = organization.staffByUsername(current.getName()).orElseThrow(() -> new BadCredentialsException("Invalid code"));
        String accountKey = LoginThrottle.accountKey(member.username());
        try {
            throttle.check(accountKey, LoginThrottle.addressKey(request.getRemoteAddr()));
            secondFactorLock.check(member);
        } catch (TooManyRequestsException e) {
            events.publish(SecurityEvent.Type.LOGIN_THROTTLED, member.id(), member.username(), request, "second factor");
            throw new ThrottledPasswordProvider.ThrottledException(e);
        }
        boolean recovery = request.getRequestURI().endsWith(RECOVERY_PATH);
        String code = request.getParameter("code");
        boolean ok = recovery ? recoveryCodes.consume(member.id(), code) : totp.verify(member.id(), code);
        if (!ok) {
            throttle.failed(accountKey, LoginThrottle.addressKey(request.getRemoteAddr()));
            events.publish(SecurityEvent.Type.MFA_FAILED, member.id(), member.username(), request, recovery ? "recovery code" : "totp");
            try {
                secondFactorLock.refuseIf(secondFactorLock.failed(member, recovery ? RECOVERY_PATH : TOTP_PATH, request.getRemoteAddr(),
                        request.getHeader("User-Agent")), member);
            } catch (TooManyRequestsException e) {
                throw new ThrottledPasswordProvider.ThrottledException(e);
            }
            throw new BadCredentialsException("Invalid code");
        }
        throttle.succeeded(accountKey);
        secondFactorLock.succeeded(member.id());
        events.publish(recovery ? SecurityEvent.Type.RECOVERY_CODE_USED : SecurityEvent.Type.MFA_SUCCEEDED, member.id(), member.username(),
                request, recovery ? recoveryCodes.remaining(member.id()) + " recovery codes left" : "totp");
        return Factors.plus(current, recovery ? Factors.RECOVERY : Factors.TOTP, clock.instant());
    }
}
