package org.dossier.fhir;

import org.dossier.clinical.ObservationResult;
import org.dossier.platform.Imported;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.TimeType;
import org.hl7.fhir.r4.model.Type;

import java.util.List;

/**
 * An observation's values between FHIR and the record's {@link ObservationResult}, both ways, so that what an import
 * keeps is what the server sends back (ADR 0027): a concept with every coding and its text, a string, a boolean, an
 * integer, a dateTime or a time as written, a quantity with its comparator and units, a data-absent reason.
 */
final class ObservationValues {

    private ObservationValues() {
    }

    /** The value[x] types kept; anything else (Range, Ratio, SampledData, Period) is reported as not modelled. */
    static boolean kept(Type value) {
        return value == null || value instanceof Quantity || value instanceof CodeableConcept || value instanceof StringType
                || value instanceof BooleanType || value instanceof IntegerType || value instanceof DateTimeType || value instanceof TimeType;
    }

    /** value[x] and dataAbsentReason as sent; null when there is neither. The caller has checked {@link #kept}. */
    static ObservationResult.Value value(Type value, CodeableConcept absent) {
        ObservationResult.Concept reason = absent == null || absent.isEmpty() ? null : concept(absent);
        if (value == null || value.isEmpty()) {
            return reason == null ? null : ObservationResult.Value.absent(reason);
        }
        if (value instanceof Quantity q) {
            return new ObservationResult.Value(quantity(q), null, null, null, null, null, null, reason);
        }
        if (value instanceof CodeableConcept c) {
            return new ObservationResult.Value(null, concept(c), null, null, null, null, null, reason);
        }
        if (value instanceof StringType s) {
            return new ObservationResult.Value(null, null, s.getValue(), null, null, null, null, reason);
        }
        if (value instanceof BooleanType b) {
            return new ObservationResult.Value(null, null, null, b.getValue(), null, null, null, reason);
        }
        if (value instanceof IntegerType i) {
            return new ObservationResult.Value(null, null, null, null, i.getValue(), null, null, reason);
        }
        if (value instanceof DateTimeType d) {
            return new ObservationResult.Value(null, null, null, null, null, d.getValueAsString(), null, reason);
        }
        if (value instanceof TimeType t) {
            return new ObservationResult.Value(null, null, null, null, null, null, t.getValue(), reason);
        }
        throw new IllegalArgumentException(value.fhirType());
    }

    static ObservationResult.Concept concept(CodeableConcept c) {
        List<Imported.Code> codings = c.getCoding().stream().filter(x -> x.hasCode() || x.hasSystem() || x.hasDisplay())
                .map(x -> new Imported.Code(x.getSystem(), x.getCode(), x.getDisplay())).toList();
        return new ObservationResult.Concept(codings, c.hasText() ? c.getText() : null);
    }

    static ObservationResult.Quantity quantity(Quantity q) {
        return new ObservationResult.Quantity(q.getValue(), q.hasComparator() ? q.getComparator().toCode() : null, q.getUnit(), q.getSystem(),
                q.getCode());
    }

    static ObservationResult.Component component(Observation.ObservationComponentComponent c) {
        return new ObservationResult.Component(concept(c.getCode()), value(c.hasValue() ? c.getValue() : null,
                c.hasDataAbsentReason() ? c.getDataAbsentReason() : null));
    }

    // ---------------------------------------------------------------- back to FHIR

    static CodeableConcept concept(ObservationResult.Concept c) {
        CodeableConcept r = new CodeableConcept();
        c.codings().forEach(x -> r.addCoding(new Coding(x.system(), x.code(), x.display())));
        if (c.text() != null) {
            r.setText(c.text());
        }
        return r;
    }

    static Quantity quantity(ObservationResult.Quantity q) {
        Quantity r = new Quantity().setValue(q.value()).setUnit(q.unit()).setSystem(q.system()).setCode(q.code());
        if (q.comparator() != null) {
            r.setComparator(Quantity.QuantityComparator.fromCode(q.comparator()));
        }
        return r;
    }

    /** The value[x] of a kept value, or null when there is only a data-absent reason. */
    static Type fhir(ObservationResult.Value v) {
        if (v.quantity() != null) {
            return quantity(v.quantity());
        }
        if (v.concept() != null) {
            return concept(v.concept());
        }
        if (v.string() != null) {
            return new StringType(v.string());
        }
        if (v.bool() != null) {
            return new BooleanType(v.bool());
        }
        if (v.integer() != null) {
            return new IntegerType(v.integer());
        }
        if (v.dateTime() != null) {
            return new DateTimeType(v.dateTime());
        }
        if (v.time() != null) {
            return new TimeType(v.time());
        }
        return null;
    }

    static void serve(ObservationResult.Value v, Observation r) {
        Type value = fhir(v);
        if (value != null) {
            r.setValue(value);
        }
        if (v.absent() != null) {
            r.setDataAbsentReason(concept(v.absent()));
        }
    }

    static Observation.ObservationComponentComponent component(ObservationResult.Component c) {
        Observation.ObservationComponentComponent r = new Observation.ObservationComponentComponent().setCode(concept(c.code()));
        if (c.value() != null) {
            Type value = fhir(c.value());
            if (value != null) {
                r.setValue(value);
            }
            if (c.value().absent() != null) {
                r.setDataAbsentReason(concept(c.value().absent()));
            }
        }
        return r;
    }
}
