package org.dossier.care;

import java.time.Instant;

/** A request from one practitioner to another practitioner or unit to see the patient, valid for a period. */
public record Referral(long id, int facilityId, long patientId, long fromStaffId, Long toStaffId, Integer toUnitId,
                       String reason, Instant periodStart, Instant periodEnd, String status, int version) {
}
