package org.dossier.chart.web;

import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.ObservationResult;
import org.dossier.web.Formats;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.List;

/**
 * An observation's name and value as a reader is shown them, in the reader's language: a number with its unit, a
 * coded finding by its text, a yes/no, a value absent with its reason, a survey's answers one per line. Templates call
 * it as {@code ${@results.value(o)}}; nothing here reads data, it only words what the page was given.
 */
@Component("results")
public class ResultText {

    private final MessageSource messages;
    private final Formats fmt;

    ResultText(MessageSource messages, Formats fmt) {
        this.messages = messages;
        this.fmt = fmt;
    }

    /** A vital sign by its localized name; any other observation by its own (the source's) name. */
    public String label(Observation o) {
        return o.kind() == ObservationKind.LAB ? o.label() : message("observation." + o.kind());
    }

    public String value(Observation o) {
        if (o.value() != null) {
            return fmt.number(o.value()) + (o.value2() != null ? "/" + fmt.number(o.value2()) : "") + unit(o.unit());
        }
        return o.result() == null || o.result().value() == null ? "" : value(o.result().value());
    }

    /** Each component as "name: value", in the order sent (a survey's questions and answers, a panel's results). */
    public List<String> components(Observation o) {
        return o.result() == null ? List.of() : o.result().components().stream()
                .map(c -> c.code().shown() + ": " + (c.value() == null ? "" : value(c.value()))).toList();
    }

    private String value(ObservationResult.Value v) {
        if (v.quantity() != null) {
            return (v.quantity().comparator() == null ? "" : v.quantity().comparator() + " ") + number(v.quantity().value())
                    + unit(v.quantity().unit() != null ? v.quantity().unit() : v.quantity().code());
        }
        if (v.concept() != null) {
            return v.concept().shown();
        }
        if (v.string() != null) {
            return v.string();
        }
        if (v.bool() != null) {
            return message(v.bool() ? "observation.yes" : "observation.no");
        }
        if (v.integer() != null) {
            return fmt.number(BigDecimal.valueOf(v.integer()));
        }
        if (v.dateTime() != null) {
            return v.dateTime();
        }
        if (v.time() != null) {
            return v.time();
        }
        return v.absent() == null ? "" : messages.getMessage("observation.absent", new Object[]{v.absent().shown()}, LocaleContextHolder.getLocale());
    }

    private String number(BigDecimal value) {
        return value == null ? "" : fmt.number(value);
    }

    /** A UCUM annotation ({score}) is a word, not a unit: shown without its braces. */
    private static String unit(String unit) {
        if (unit == null || unit.isBlank() || unit.equals("1")) {
            return "";
        }
        return " " + (unit.startsWith("{") && unit.endsWith("}") ? unit.substring(1, unit.length() - 1) : unit);
    }

    private String message(String key) {
        return messages.getMessage(key, null, key, LocaleContextHolder.getLocale());
    }
}
