package org.dossier.billing;

import org.dossier.platform.crypto.FieldCipher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.dossier.platform.SqlTimes.ts;
import static org.dossier.billing.ClaimRows.CLAIM;

/**
 * The claims the server itself sends to the insurer and collects the answers of, on a schedule: a machine-to-machine
 * path with no actor, so no gateway proof. What it reads goes to the insurer and into the claim's version log, never to
 * a person; every person's read of a claim goes through {@link BillingRepository} under a proof. GatewayArchitectureTest
 * names this class as the one system path of a patient module. It opens the beneficiary's sealed NIR (the insurer needs
 * it) and seals the insurer's rejection reason with the patient's key server-side, as the bulk loaders seal (ADR 0052).
 */
@Repository
class InsurerExchangeRepository {

    private final JdbcClient jdbc;
    private final FieldCipher cipher;

    InsurerExchangeRepository(JdbcClient jdbc, FieldCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    /** The claims sent and not yet answered, oldest first. */
    List<Claim> sentClaims(int limit) {
        return jdbc.sql("select " + CLAIM + " from claim where status = 'SENT' order by sent_at limit ?")
                .param(limit).query((rs, n) -> ClaimRows.claim(cipher, rs)).list();
    }

    /** Records the insurer's answer to {@code claim} as read by {@link #sentClaims}, its rejection reason sealed. */
    boolean markAnswered(Claim claim, boolean accepted, String rejection, Instant now) {
        byte[] sealed = cipher.seal(BillingRows.rejectionCell(claim.id(), claim.facilityId(), claim.patientId()), rejection);
        return jdbc.sql("update claim set status = ?, sealed_rejection_reason = ?, answered_at = ?, version = version + 1"
                        + " where id = ? and version = ? and status = 'SENT'")
                .param(accepted ? "ACCEPTED" : "REJECTED").param(sealed).param(ts(now)).param(claim.id()).param(claim.version())
                .update() == 1;
    }

    Optional<Claim> answeredClaim(long id) {
        return jdbc.sql("select " + CLAIM + " from claim where id = ? and status in ('ACCEPTED', 'REJECTED')").param(id)
                .query((rs, n) -> ClaimRows.claim(cipher, rs)).optional();
    }
}
