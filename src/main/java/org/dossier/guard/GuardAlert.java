package org.dossier.guard;

import java.time.Instant;

/**
 * An alert the guard raised: who, when, which signal, what it saw, and what the account had been shown (JSON). A freeze is
 * HIGH, a step-up LOW, repeated step-ups of one account MEDIUM.
 */
public record GuardAlert(long id, long staffId, String username, Instant raisedAt, String signal, String response, String requestId,
                         String sourceAddress, String evidence, String exposure, String status, Long acknowledgedBy,
                         Instant acknowledgedAt, String note, String severity) {
}
