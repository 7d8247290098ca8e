package org.dossier.care;

import java.time.Instant;
import java.util.List;

/** A hospital stay with where the patient was, unit by unit; the last movement without an end is where they are now. */
public record Stay(long id, int facilityId, long patientId, StayKind kind, StayStatus status, Instant admittedAt,
                   Instant dischargedAt, long attendingId, String admissionReason, String dischargeDestination, int version,
                   List<Movement> movements) {

    /** A period in one unit (and bed) of the facility. */
    public record Movement(long id, int unitId, String bed, Instant fromAt, Instant toAt) {
    }

    public Movement currentMovement() {
        return movements.isEmpty() ? null : movements.get(movements.size() - 1);
    }
}
