package org.dossier.identity;

import org.dossier.organization.OrganizationService;
import org.dossier.platform.InputLimits;
import org.dossier.platform.TooManyRequestsException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Password check with throttling per account and per source address, and the same answer for an
 * unknown user, a wrong password and a disabled account. Spring's provider already spends the time of a
 * hash check on unknown users, so that response times do not reveal which usernames exist.
 */
class ThrottledPasswordProvider implements AuthenticationProvider {

    private final DaoAuthenticationProvider passwords;
    private final LoginThrottle throttle;
    private final SecurityEvents events;
    private final OrganizationService organization;

    ThrottledPasswordProvider(DaoAuthenticationProvider passwords, LoginThrottle throttle, SecurityEvents events,
                              OrganizationService organization) {
        this.passwords = passwords;
        this.throttle = throttle;
        this.events = events;
        this.organization = organization;
    }

    /** Thrown when attempts come too fast; the filter answers 429 with Retry-After. */
    static final class ThrottledException extends AuthenticationException {
        final transient TooManyRequestsException cause;

        ThrottledException(TooManyRequestsException cause) {
            super(cause.getMessage());
            this.cause = cause;
        }
    }

    /** Credentials longer than any real one: refused before the throttle's account lookup and before any hashing. */
    static final class OversizedException extends BadCredentialsException {
        OversizedException() {
            super("A username has at most " + InputLimits.MAX_USERNAME + " characters and a password at most "
                    + InputLimits.MAX_PASSWORD + "; nothing was checked");
        }
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String username = authentication.getName();
        String address = authentication.getDetails() instanceof WebAuthenticationDetails d ? d.getRemoteAddress() : "unknown";
        Object credentials = authentication.getCredentials();
        if ((username != null && username.length() > InputLimits.MAX_USERNAME)
                || (credentials instanceof String password && password.length() > InputLimits.MAX_PASSWORD)) {
            // No account has such a name or password: counted against the address, like any failure, without hashing.
            String addressKey = LoginThrottle.addressKey(address);
            try {
                throttle.check(addressKey);
            } catch (TooManyRequestsException e) {
                throw new ThrottledException(e);
            }
            throttle.failed(addressKey);
            String shown = username == null ? null : username.substring(0, Math.min(username.length(), 64));
            events.publish(SecurityEvent.Type.LOGIN_FAILED, null, shown, address, null, "password: oversized credentials refused");
            throw new OversizedException();
        }
        String accountKey = LoginThrottle.accountKey(username);
        try {
            throttle.check(accountKey, LoginThrottle.addressKey(address));
        } catch (TooManyRequestsException e) {
            events.publish(SecurityEvent.Type.LOGIN_THROTTLED, staffId(username), username, address, null, "password");
            throw new ThrottledException(e);
        }
        try {
            Authentication result = passwords.authenticate(authentication);
            throttle.succeeded(accountKey);
            events.publish(SecurityEvent.Type.LOGIN_SUCCEEDED, staffId(username), username, address, null, "password");
            return result;
        } catch (AuthenticationException e) {
            throttle.failed(accountKey, LoginThrottle.addressKey(address));
            events.publish(SecurityEvent.Type.LOGIN_FAILED, staffId(username), username, address, null, "password");
            throw new BadCredentialsException("Invalid username or password");
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    private Long staffId(String username) {
        return organization.staffByUsername(username == null ? "" : username.strip()).map(m -> m.id()).orElse(null);
    }
}
