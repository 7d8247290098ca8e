package org.dossier.clinical;

import org.dossier.platform.Imported;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A measurement: a vital sign or a lab result, coded in LOINC. Blood pressure carries the systolic in
 * {@code value} and the diastolic in {@code value2}. A wrong value is marked ENTERED_IN_ERROR, never changed. A value
 * measured in another unit (°F, lb, in) is held in the kind's unit, the original kept in {@code source}, with what an
 * importing source said of it (codings, categories, performer).
 */
public record Observation(long id, int facilityId, long patientId, ObservationKind kind, String code, String label,
                          BigDecimal value, BigDecimal value2, String unit, Instant effectiveAt, String status, long recordedBy,
                          int version, Imported source) {

    /** A measurement taken here, in the kind's unit. */
    public Observation(long id, int facilityId, long patientId, ObservationKind kind, String code, String label, BigDecimal value,
                       BigDecimal value2, String unit, Instant effectiveAt, String status, long recordedBy, int version) {
        this(id, facilityId, patientId, kind, code, label, value, value2, unit, effectiveAt, status, recordedBy, version, null);
    }
}
