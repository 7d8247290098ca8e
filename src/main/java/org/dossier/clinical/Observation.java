package org.dossier.clinical;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A measurement: a vital sign or a lab result, coded in LOINC. Blood pressure carries the systolic in
 * {@code value} and the diastolic in {@code value2}. A wrong value is marked ENTERED_IN_ERROR, never changed.
 */
public record Observation(long id, int facilityId, long patientId, ObservationKind kind, String code, String label,
                          BigDecimal value, BigDecimal value2, String unit, Instant effectiveAt, String status, long recordedBy,
                          int version) {
}
