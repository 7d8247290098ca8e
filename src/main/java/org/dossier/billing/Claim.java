package org.dossier.billing;

import java.time.Instant;

/** An electronic care sheet (FSE) sent to the insurer, and what became of it. */
public record Claim(long id, int facilityId, long patientId, long invoiceId, Status status, int amountCents, String beneficiaryNir,
                    String lotNumber,
                    Instant sentAt, Instant answeredAt, String rejectionReason, int version) {

    public enum Status { TO_SEND, SENT, ACCEPTED, REJECTED }
}
