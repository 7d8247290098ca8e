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
 * Dates and times read from JSON must fall between {@link InputLimits#MIN_YEAR} and {@link InputLimits#MAX_YEAR}:
 * Java reads {@code +999999999-12-31T23:59:59Z}, PostgreSQL cannot store it, and no date of care is outside that range.
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
            int year = value instanceof Instant i ? i.atOffset(ZoneOffset.UTC).getYear()
                    : value instanceof LocalDate d ? d.getYear()
                    : value instanceof LocalDateTime d ? d.getYear()
                    : value instanceof OffsetDateTime d ? d.getYear()
                    : value instanceof ZonedDateTime d ? d.getYear()
                    : InputLimits.MIN_YEAR;
            if (!InputLimits.yearInRange(year)) {
                throw new OutOfRange("got year " + year);
            }
            return value;
        }
    }
}
