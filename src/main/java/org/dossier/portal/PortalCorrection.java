package org.dossier.portal;

import java.time.Instant;

/**
 * A patient's request that their identity or contacts be corrected (ADR 0040): what they wrote, and the front desk's
 * answer once handled. The desk makes the correction itself through the patient's identity screen, as for any other.
 */
public record PortalCorrection(long id, long patientId, int facilityId, About about, String message, Instant requestedAt,
                               Status status, String answer, Instant handledAt) {

    /** What is to be corrected: the identity (names, birth, sex) or the contacts (address, phones, emails, relatives). */
    public enum About { IDENTITY, CONTACTS }

    public enum Status { OPEN, DONE, DECLINED }

    /** One line of the desk's queue: no more than the desk needs to open the right record. */
    public record Waiting(long id, long patientId, About about, Instant requestedAt) {
    }
}
