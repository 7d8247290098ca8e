package org.dossier.prescribing;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A medication order: the drug (free text, with its ATC class and CIP-13 pack code when known), how much,
 * how, how often, for how long. An order that conflicts with a recorded allergy carries the prescriber's
 * override reason.
 */
public record MedicationOrder(long id, int facilityId, long patientId, Long stayId, String drug, String atcCode, String cip13,
                              String dose, String route, String frequency, Integer durationDays, LocalDate startDate,
                              LocalDate endDate, Status status, long prescriberId, Long renewedFrom, String allergyOverrideReason,
                              String statusReason, int version, Instant createdAt) {

    public enum Status { ACTIVE, STOPPED, COMPLETED, ENTERED_IN_ERROR }
}
