package org.dossier.audit;

/**
 * The audit trail could not record an access. The caller must not return the data (fail closed);
 * answered with 503.
 */
public class AuditUnavailableException extends RuntimeException {
    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
