package org.dossier.prescribing;

import org.dossier.platform.Imported;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A medication order: the drug (free text, with its ATC class and CIP-13 pack code when known), how much,
 * how, how often, for how long. An order that conflicts with a recorded allergy carries the prescriber's
 * override reason. An order from another system's history keeps its own status, the time it was authored and what the
 * source said of it ({@code source}: its codings, intent, requester); {@code authoredAt} is the creation time for an
 * order made here.
 */
public record MedicationOrder(long id, int facilityId, long patientId, Long stayId, String drug, String atcCode, String cip13,
                              String dose, String route, String frequency, Integer durationDays, LocalDate startDate,
                              LocalDate endDate, Status status, long prescriberId, Long renewedFrom, String allergyOverrideReason,
                              String statusReason, int version, Instant createdAt, Instant authoredAt, Imported source) {

    /** An order made here (authored when created, no source). */
    public MedicationOrder(long id, int facilityId, long patientId, Long stayId, String drug, String atcCode, String cip13, String dose,
                           String route, String frequency, Integer durationDays, LocalDate startDate, LocalDate endDate, Status status,
                           long prescriberId, Long renewedFrom, String allergyOverrideReason, String statusReason, int version,
                           Instant createdAt) {
        this(id, facilityId, patientId, stayId, drug, atcCode, cip13, dose, route, frequency, durationDays, startDate, endDate, status,
                prescriberId, renewedFrom, allergyOverrideReason, statusReason, version, createdAt, createdAt, null);
    }

    /**
     * FHIR's statuses of an order. Only ACTIVE is in force: the chart's active list, the REST and FHIR answers and every
     * check against current treatment look at ACTIVE alone; ON_HOLD and DRAFT come only from imported history.
     */
    public enum Status { ACTIVE, ON_HOLD, DRAFT, STOPPED, COMPLETED, CANCELLED, ENTERED_IN_ERROR, UNKNOWN }

    public boolean inForce() {
        return status == Status.ACTIVE;
    }
}
