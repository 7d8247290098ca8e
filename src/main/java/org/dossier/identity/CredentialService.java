package org.dossier.identity;

import org.dossier.organization.StaffMember;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Sets staff credentials: only Argon2id hashes of passwords are stored, and TOTP secrets are sealed. */
@Service
public class CredentialService {

    private final CredentialRepository credentials;
    private final PasswordEncoder encoder;
    private final PasswordPolicy policy;
    private final TotpService totp;
    private final Clock clock;

    CredentialService(CredentialRepository credentials, PasswordEncoder encoder, PasswordPolicy policy, TotpService totp, Clock clock) {
        this.credentials = credentials;
        this.encoder = encoder;
        this.policy = policy;
        this.totp = totp;
        this.clock = clock;
    }

    /** Sets a password after checking it against the policy (422 with the reason otherwise). */
    @Transactional
    public void setPassword(StaffMember account, String rawPassword) {
        policy.check(rawPassword, account);
        credentials.setPasswordHash(account.id(), encoder.encode(rawPassword), clock.instant());
    }

    /**
     * Gives the demo hospital's accounts their documented password (one hash for all) and their own
     * authenticator secret, marked as demo credentials so that a production server refuses to start with them.
     */
    @Transactional
    public void setDemoCredentials(List<Long> staffIds, String rawPassword, Map<Long, String> totpSecrets) {
        credentials.setPasswordHashes(staffIds, encoder.encode(rawPassword), clock.instant());
        credentials.markDemo(staffIds);
        totpSecrets.forEach(totp::setConfirmedSecret);
    }

    /** Whether any demo credential exists in this database. */
    public boolean hasDemoCredentials() {
        return credentials.hasDemo();
    }
}
