package org.dossier.web;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.text.NumberFormat;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;

/**
 * Dates, times and numbers as the reader's language writes them, in the hospital's time zone. Templates call it as
 * {@code ${@fmt.dateTime(x)}}; a missing value is an empty string, never "null".
 */
@Component("fmt")
public class Formats {

    private final ZoneId zone;
    private final Clock clock;

    Formats(@Value("${dossier.time-zone:Europe/Paris}") String zone, Clock clock) {
        this.zone = ZoneId.of(zone);
        this.clock = clock;
    }

    public String date(Object value) {
        LocalDate day = value instanceof Instant i ? i.atZone(zone).toLocalDate() : value instanceof LocalDate d ? d : null;
        return day == null ? "" : DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(LocaleContextHolder.getLocale()).format(day);
    }

    public String dateTime(Instant value) {
        return value == null ? "" : DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                .withLocale(LocaleContextHolder.getLocale()).format(value.atZone(zone));
    }

    public String time(Instant value) {
        return value == null ? "" : DateTimeFormatter.ofLocalizedTime(FormatStyle.SHORT).withLocale(LocaleContextHolder.getLocale())
                .format(value.atZone(zone));
    }

    /** The value for an HTML date-time input (local, minutes). */
    public String input(Instant value) {
        return value == null ? "" : DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").format(value.atZone(zone));
    }

    public String number(BigDecimal value) {
        if (value == null) {
            return "";
        }
        NumberFormat format = NumberFormat.getNumberInstance(LocaleContextHolder.getLocale());
        format.setMaximumFractionDigits(2);
        return format.format(value);
    }

    public String money(BigDecimal value) {
        if (value == null) {
            return "";
        }
        NumberFormat format = NumberFormat.getCurrencyInstance(LocaleContextHolder.getLocale());
        format.setCurrency(java.util.Currency.getInstance("EUR"));
        return format.format(value);
    }

    /** An amount kept in euro cents, as money. */
    public String cents(int cents) {
        return money(BigDecimal.valueOf(cents, 2));
    }

    /** Age in whole years today. */
    public int age(LocalDate birthDate) {
        return birthDate == null ? 0 : java.time.Period.between(birthDate, LocalDate.now(clock.withZone(zone))).getYears();
    }

    public LocalDate today() {
        return LocalDate.now(clock.withZone(zone));
    }

    public ZoneId zone() {
        return zone;
    }
}
