package org.dossier.access;

import java.time.Instant;

/**
 * A line of the erasure register (ADR 0047): a patient whose own key is to be, or was, shredded. It names the patient by
 * id only: the register outlives the data it erased.
 */
public record PatientErasure(long id, long patientId, int facilityId, Ground ground, long requestedBy, Instant requestedAt,
                             Status status, Long decidedBy, Instant decidedAt) {

    /** Why the data may be erased: the end of its retention period, the patient's request (RGPD art. 17), a court. */
    public enum Ground { RETENTION_ENDED, PATIENT_REQUEST, COURT_ORDER }

    public enum Status { PENDING, SHREDDED, WITHDRAWN }
}
