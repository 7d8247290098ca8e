package org.dossier.web;

import org.dossier.platform.InputLimits;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * Instants and date-times read from JSON must fall between {@link InputLimits#MIN_YEAR} and {@link InputLimits#MAX_YEAR}:
 * Java reads {@code +999999999-12-31T23:59:59Z}, PostgreSQL cannot store it, and no time of care is outside that range.
 * Calendar dates must have four-digit years; the domain's own checks (a birth date not in the future, after 1900…)
 * then answer for them, naming the field as the record names it.
 * A date out of range is refused while the body is read (400, naming the field), before anything is done.
 */
@Component
class DateBounds extends SimpleModule {

    private static final Set<Class<?>> BOUNDED = Set.of(Instant.class, LocalDate.class, LocalDateTime.class,
            OffsetDateTime.class, ZonedDateTime.class);

    DateBounds() {
        super("dossier-date-bounds");
        setDeserializerModifier(new ValueDeserializerModifier() {
            @Override
            public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription.Supplier description,
                                                           ValueDeserializer<?> deserializer) {
                return BOUNDED.contains(description.getBeanClass()) ? new Bounded(deserializer) : deserializer;
            }
        });
    }

    /** Thrown for a date outside the range; the API's handler shows its message. */
    static final class OutOfRange extends RuntimeException {
        OutOfRange(String message) {
            super(message);
        }
    }

    private static int yearOf(Object value) {
        if (value instanceof Instant i) {
            return i.atOffset(ZoneOffset.UTC).getYear();
        } else if (value instanceof LocalDate d) {
            return d.getYear();
        } else if (value instanceof LocalDateTime d) {
            return d.getYear();
        } else if (value instanceof OffsetDateTime d) {
            return d.getYear();
        } else if (value instanceof ZonedDateTime d) {
            return d.getYear();
        }
        return InputLimits.MIN_YEAR;
    }

    private static final class Bounded extends DelegatingDeserializer {

        Bounded(ValueDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new Bounded(delegate);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
            Object value = super.deserialize(p, ctxt);
            // Calendar dates (a birth date, an onset) keep four-digit years and meet the domain's own, narrower checks
            // (which name the field in the record); instants and date-times, which no rule checks, keep 1900-2200.
            if (value == null) {
                return null;
            }
            boolean calendar = value instanceof LocalDate;
            int year = yearOf(value);
            boolean ok = calendar ? year >= 1 && year <= 9999 : InputLimits.yearInRange(year);
            if (!ok) {
                throw new OutOfRange(calendar ? "dates must have four-digit years (0001 to 9999), got year " + year : "got year " + year);
            }
            return value;
        }
    }
}
