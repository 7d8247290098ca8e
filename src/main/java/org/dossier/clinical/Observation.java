package org.dossier.clinical;

import org.dossier.platform.Imported;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An observation: a vital sign or a result coded in LOINC. Blood pressure carries the systolic in {@code value} and
 * the diastolic in {@code value2}. A wrong value is marked ENTERED_IN_ERROR, never changed. A value measured in another
 * unit (°F, lb, in) is held in the kind's unit, the original kept in {@code source}, with what an importing source said
 * of it (codings, categories, performer). An observation that is not one number (a coded finding, a text, a survey's
 * answers, a value absent with its reason) has no {@code value} nor {@code unit} and holds it in {@code result}, as
 * sent; {@code result} also holds the components of a panel that has a number besides them.
 */
public record Observation(long id, int facilityId, long patientId, ObservationKind kind, String code, String label,
                          BigDecimal value, BigDecimal value2, String unit, Instant effectiveAt, String status, long recordedBy,
                          int version, Imported source, ObservationResult result) implements ChartRecord {

    /** A measurement taken here, in the kind's unit. */
    public Observation(long id, int facilityId, long patientId, ObservationKind kind, String code, String label, BigDecimal value,
                       BigDecimal value2, String unit, Instant effectiveAt, String status, long recordedBy, int version) {
        this(id, facilityId, patientId, kind, code, label, value, value2, unit, effectiveAt, status, recordedBy, version, null, null);
    }

    /** Whether it is one number (a trend can draw it). */
    public boolean numeric() {
        return value != null;
    }
}
