package org.dossier.identity;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;

import java.time.Instant;

/**
 * The factors an authentication carries. A full sign-in is a first factor (password, or a one-time
 * enrolment link) and a second factor (authenticator code, passkey or recovery code) — or an API token,
 * which was issued against both.
 */
final class Factors {

    static final String TOTP = "FACTOR_TOTP";
    static final String RECOVERY = "FACTOR_RECOVERY_CODE";

    private Factors() {
    }

    static boolean has(Authentication a, String authority) {
        if (a == null) {
            return false;
        }
        for (GrantedAuthority g : a.getAuthorities()) {
            if (authority.equals(g.getAuthority())) {
                return true;
            }
        }
        return false;
    }

    static boolean firstFactor(Authentication a) {
        return has(a, FactorGrantedAuthority.PASSWORD_AUTHORITY) || has(a, FactorGrantedAuthority.OTT_AUTHORITY);
    }

    static boolean secondFactor(Authentication a) {
        return has(a, TOTP) || has(a, FactorGrantedAuthority.WEBAUTHN_AUTHORITY) || has(a, RECOVERY);
    }

    static boolean token(Authentication a) {
        return has(a, TokenIntrospector.TOKEN_FACTOR);
    }

    static boolean full(Authentication a) {
        return a != null && a.isAuthenticated() && (token(a) || (firstFactor(a) && secondFactor(a)));
    }

    /** When the latest second factor was used, for step-up freshness; null if none. */
    static Instant lastSecondFactor(Authentication a) {
        Instant latest = null;
        if (a == null) {
            return null;
        }
        for (GrantedAuthority g : a.getAuthorities()) {
            if (g instanceof FactorGrantedAuthority f && (TOTP.equals(f.getAuthority()) || RECOVERY.equals(f.getAuthority())
                    || FactorGrantedAuthority.WEBAUTHN_AUTHORITY.equals(f.getAuthority()))) {
                if (latest == null || f.getIssuedAt().isAfter(latest)) {
                    latest = f.getIssuedAt();
                }
            }
        }
        return latest;
    }

    /** The same authentication with one more factor, used now. */
    static Authentication plus(Authentication a, String factorAuthority, Instant now) {
        FactorGrantedAuthority factor = FactorGrantedAuthority.withAuthority(factorAuthority).issuedAt(now).build();
        return a.toBuilder().authorities(list -> {
            list.removeIf(g -> factorAuthority.equals(g.getAuthority()));
            list.add(factor);
        }).build();
    }
}
