package org.dossier.audit;

import org.springframework.stereotype.Component;

import java.time.Instant;

/**
 * The chain and the checkpoint signatures of entries written by a bulk load of the trail (the history loader of
 * {@code audit.bulk}), computed exactly as {@link AuditTrail} computes them, so that the verifier cannot tell the two
 * apart. GatewayArchitectureTest keeps it inside {@code audit}.
 */
@Component
public class HistoryChain {

    private final AuditSigner signer;

    HistoryChain(AuditSigner signer) {
        this.signer = signer;
    }

    /** A signed checkpoint of the chain at {@code seq}. */
    public record Checkpoint(long seq, String headHash, Instant signedAt, String keyId, String signature) {
    }

    /** Hashes one entry after another; one per thread (it reuses its buffer and digest). */
    public static final class Hasher {
        private final AuditChain.Canonical canonical = new AuditChain.Canonical();

        public String next(String previousHash, long seq, AuditRecord record) {
            return canonical.next(previousHash, seq, record);
        }
    }

    public Hasher hasher() {
        return new Hasher();
    }

    public Checkpoint checkpoint(long seq, String headHash, Instant at) {
        return new Checkpoint(seq, headHash, at, signer.keyId(), signer.sign(seq, headHash, at.toString()));
    }
}
