package org.dossier.portal;

import org.dossier.identity.PatientSignIns;
import org.dossier.platform.FacilityScope;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The portal's answer to the authorization server (ADR 0045): a patient signed in here, with both factors and a session
 * still valid, may authorize their own app; the app's tokens live as long as the account may (no new enrolment, no code
 * issued at the desk since). The same rules as the portal's own sessions ({@link PortalSessions#actor}).
 */
@Component
class PortalAppSignIns implements PatientSignIns {

    private final PortalAccountRepository accounts;
    private final Clock clock;

    PortalAppSignIns(PortalAccountRepository accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    @Override
    public SecurityContextRepository contexts() {
        return PortalSecurity.contexts();
    }

    @Override
    public Optional<SignedIn> signedIn(Authentication authentication) {
        if (!PortalSecurity.isPatient(authentication) || !(authentication.getPrincipal() instanceof PortalPrincipal p)
                || p.secondFactorAt().plus(PortalSessions.ABSOLUTE_LIFETIME).isBefore(clock.instant())) {
            return Optional.empty();
        }
        return live(p.accountId(), p.secondFactorAt()).map(h -> new SignedIn(h, p.secondFactorAt()));
    }

    @Override
    public Optional<Holder> live(long accountId, Instant since) {
        // Before anyone's facility is known (a token being checked): the server's own read of one account by its key.
        return FacilityScope.asSystem(() -> accounts.live(accountId, since))
                .map(a -> new Holder(a.id(), PortalUsernames.label(a.id()), a.patientId(), a.facilityId()));
    }
}
