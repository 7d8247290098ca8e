package org.dossier.billing;

import java.time.Instant;

/** An electronic care sheet (FSE) sent to the insurer, and what became of it. */
public record Claim(long id, int facilityId, long patientId, long invoiceId, Status status, int amountCents, String beneficiaryNir,
                    String lotNumber,
                    Instant sentAt, Instant answeredAt, String rejectionReason, int version) {

    public enum Status { TO_SEND, SENT, ACCEPTED, REJECTED }

    /** This claim as an item of a list that does not name its beneficiary (outside the clerk's work of the day). */
    public Claim withoutPatient() {
        return new Claim(id, facilityId, 0, invoiceId, status, amountCents, null, lotNumber, sentAt, answeredAt, rejectionReason, version);
    }

    public boolean patientShown() {
        return patientId != 0;
    }
}
