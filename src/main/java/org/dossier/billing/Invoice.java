package org.dossier.billing;

import java.util.List;

/** An invoice for a stay or an appointment; lines change only while it is a DRAFT. */
public record Invoice(long id, int facilityId, long patientId, Long stayId, Long appointmentId, Status status, int totalCents,
                      String statusReason, int version, List<Line> lines) {

    public enum Status { DRAFT, ISSUED, PAID, CANCELLED }

    public record Line(int lineNo, String actCode, String label, int quantity, int unitPriceCents, int amountCents) {
    }
}
