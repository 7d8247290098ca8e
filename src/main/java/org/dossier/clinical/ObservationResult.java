package org.dossier.clinical;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.dossier.platform.Imported;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.util.List;

/**
 * What an observation holds beyond one number, as the sending system gave it (ADR 0027): a coded finding, a text, a
 * yes/no, an integer, a date; a value absent with its reason; a survey's or a panel's components, each with its own
 * code and value; categories grouped as sent when one category carries several codings or a text; an effective
 * period; the text of its code when it is not the label the record shows (a vital sign's, or one too long). The one number of a measurement stays in the observation's {@code value} and {@code unit}, so vital signs'
 * ranges, conversions and trends are unchanged; null on a measurement that holds nothing else.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObservationResult(Value value, List<Component> components, List<Concept> categories, Period effectivePeriod,
                                String codeText) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ObservationResult {
        components = components == null ? List.of() : List.copyOf(components);
        categories = categories == null ? List.of() : List.copyOf(categories);
    }

    /** A coded concept as sent: every coding (system, code, display) and its text. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Concept(List<Imported.Code> codings, String text) {
        public Concept {
            codings = codings == null ? List.of() : List.copyOf(codings);
        }

        /** What a reader is shown: the text, else the first display, else the first code. */
        public String shown() {
            if (text != null && !text.isBlank()) {
                return text;
            }
            return codings.stream().map(c -> c.display() != null && !c.display().isBlank() ? c.display() : c.code())
                    .filter(s -> s != null).findFirst().orElse("");
        }
    }

    /** A quantity as sent (a component's measure): value, comparator, unit as written, and its coded unit. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quantity(BigDecimal value, String comparator, String unit, String system, String code) {
    }

    /**
     * One value of an observation or of a component: exactly one of its fields is set, or {@code absent} (FHIR's
     * dataAbsentReason) says why there is none. Dates and times are kept as the text sent (a year stays a year).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Value(Quantity quantity, Concept concept, String string, Boolean bool, Integer integer, String dateTime, String time,
                        Concept absent) {

        public static Value of(Concept concept) {
            return new Value(null, concept, null, null, null, null, null, null);
        }

        public static Value ofText(String text) {
            return new Value(null, null, text, null, null, null, null, null);
        }

        public static Value absent(Concept reason) {
            return new Value(null, null, null, null, null, null, null, reason);
        }

        boolean holdsNothing() {
            return quantity == null && concept == null && string == null && bool == null && integer == null && dateTime == null
                    && time == null && absent == null;
        }
    }

    /** A component: its code, and its value or the reason it has none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Component(Concept code, Value value) {
    }

    /** An effective period as sent (text; the end may be open). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Period(String start, String end) {
    }

    /** Whether it holds something an observation can be made of: a value, its absence, or components. */
    public boolean holdsAValue() {
        return (value != null && !value.holdsNothing()) || !components.isEmpty();
    }

    public String toJson() {
        return JSON.writeValueAsString(this);
    }

    public static ObservationResult fromJson(String json) {
        return json == null ? null : JSON.readValue(json, ObservationResult.class);
    }
}
