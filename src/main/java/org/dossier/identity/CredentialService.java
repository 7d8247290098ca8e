package org.dossier.identity;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.util.List;

/** Sets staff passwords; only their Argon2id hashes are stored. */
@Service
public class CredentialService {

    private final CredentialRepository credentials;
    private final PasswordEncoder encoder;
    private final Clock clock;

    CredentialService(CredentialRepository credentials, PasswordEncoder encoder, Clock clock) {
        this.credentials = credentials;
        this.encoder = encoder;
        this.clock = clock;
    }

    @Transactional
    public void setPassword(long staffId, String rawPassword) {
        credentials.setPasswordHash(staffId, encoder.encode(rawPassword), clock.instant());
    }

    /** Gives many accounts one password with a single hash computation (the demo hospital's shared demo password). */
    @Transactional
    public void setSharedPassword(List<Long> staffIds, String rawPassword) {
        credentials.setPasswordHashes(staffIds, encoder.encode(rawPassword), clock.instant());
    }
}
