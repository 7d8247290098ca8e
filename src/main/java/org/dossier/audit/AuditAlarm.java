package org.dossier.audit;

import java.time.Instant;

/**
 * Something the security officer must hear about now, that the audit module cannot fix itself: the chain no longer
 * matches what this server wrote and signed (the server then signs nothing), or a witness cannot be written. The guard
 * turns it into an alert; the audit module does not know the guard.
 */
public record AuditAlarm(Kind kind, Instant at, String detail) {

    public enum Kind {
        /** The chain in the database differs from the last signed checkpoint or from what this server wrote. */
        CHAIN_BROKEN,
        /** The witness file, syslog collector or HTTP witness could not take a checkpoint. */
        WITNESS_UNAVAILABLE
    }
}
