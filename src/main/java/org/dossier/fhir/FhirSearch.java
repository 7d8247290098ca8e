package org.dossier.fhir;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.model.api.IQueryParameterOr;
import ca.uhn.fhir.model.api.IQueryParameterType;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.DateOrListParam;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.param.TokenParamModifier;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Type;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The FHIR search semantics of date and token parameters, applied to the resources a patient's search found (one gateway
 * decision already taken). A date is a range — its precision makes {@code 2024} the whole year — compared with the
 * target's own range as the spec's prefixes say; a token matches any coding of a CodeableConcept ({@code system|code},
 * {@code |code}, {@code code}) or, with {@code :text}, its text and displays. Parameters repeated are ANDed, values
 * separated by commas ORed.
 */
final class FhirSearch {

    /** The lower and upper bounds a query can narrow with before the exact test; null where open. */
    record Bounds(Instant from, Instant to) {
        static final Bounds OPEN = new Bounds(null, null);

        Bounds and(Bounds other) {
            Instant f = from == null ? other.from : other.from == null ? from : from.isAfter(other.from) ? from : other.from;
            Instant t = to == null ? other.to : other.to == null ? to : to.isBefore(other.to) ? to : other.to;
            return new Bounds(f, t);
        }

        Bounds or(Bounds other) {
            Instant f = from == null || other.from == null ? null : from.isBefore(other.from) ? from : other.from;
            Instant t = to == null || other.to == null ? null : to.isAfter(other.to) ? to : other.to;
            return new Bounds(f, t);
        }
    }

    /** A target's time as a half-open range [start, end); null ends are open (an encounter still going on). */
    record Span(Instant start, Instant end) {
        static Span of(Type value) {
            if (value instanceof BaseDateTimeType dt && dt.getValue() != null) {
                return new Span(dt.getValue().toInstant(), dt.getPrecision().add(dt.getValue(), 1).toInstant());
            }
            if (value instanceof Period p && (p.hasStart() || p.hasEnd())) {
                Instant start = p.hasStart() ? p.getStart().toInstant() : null;
                Instant end = p.hasEnd() ? p.getEndElement().getPrecision().add(p.getEnd(), 1).toInstant() : null;
                return new Span(start, end);
            }
            return null;
        }

        /** A calendar day, in the zone dates without one are read in. */
        static Span of(LocalDate day) {
            return day == null ? null : new Span(day.atStartOfDay(ZONE).toInstant(), day.plusDays(1).atStartOfDay(ZONE).toInstant());
        }
    }

    /**
     * The time a record's current version was recorded ({@code meta.lastUpdated}), searched on the types whose records
     * carry it (AllergyIntolerance, Condition); elsewhere it is an unsupported parameter, ignored and reported.
     */
    static final String LAST_UPDATED = "_lastUpdated";

    /** Dates written without a zone ({@code 2024-05-01}) are days where the server is, as HAPI parses them. */
    static final ZoneId ZONE = ZoneId.systemDefault();

    private FhirSearch() {
    }

    // ------------------------------------------------------------------ dates

    /** Whether {@code target} satisfies every date parameter (a resource without that date matches none). */
    static boolean matches(DateAndListParam dates, Span target) {
        if (dates == null) {
            return true;
        }
        return target != null && everyParameter(dates.getValuesAsQueryTokens(), p -> matches(p, target));
    }

    static boolean matches(DateParam param, Span target) {
        Span value = valueOf(param);
        Instant lo = value.start();
        Instant hi = value.end();
        // Open ends stand for the far past and the far future.
        Instant ts = target.start() == null ? Instant.MIN : target.start();
        Instant te = target.end() == null ? Instant.MAX : target.end();
        boolean eq = !ts.isBefore(lo) && !te.isAfter(hi);
        return switch (prefix(param)) {
            case EQUAL -> eq;
            case NOT_EQUAL -> !eq;
            case GREATERTHAN -> te.isAfter(hi);
            case LESSTHAN -> ts.isBefore(lo);
            case GREATERTHAN_OR_EQUALS -> eq || te.isAfter(hi);
            case LESSTHAN_OR_EQUALS -> eq || ts.isBefore(lo);
            case STARTS_AFTER -> !ts.isBefore(hi);
            case ENDS_BEFORE -> !te.isAfter(lo);
            case APPROXIMATE -> {
                Span near = approximately(value);
                yield ts.isBefore(near.end()) && te.isAfter(near.start());
            }
        };
    }

    /**
     * The widest range a matching target's start can lie in, for a query to narrow on before the exact test (for
     * targets that are instants or whole days, as an observation's time is).
     */
    static Bounds bounds(DateAndListParam dates) {
        Bounds all = Bounds.OPEN;
        if (dates == null) {
            return all;
        }
        for (DateOrListParam or : dates.getValuesAsQueryTokens()) {
            Bounds any = null;
            for (DateParam p : or.getValuesAsQueryTokens()) {
                Bounds one = bounds(p);
                any = any == null ? one : any.or(one);
            }
            if (any != null) {
                all = all.and(any);
            }
        }
        return all;
    }

    private static Bounds bounds(DateParam param) {
        Span value = valueOf(param);
        return switch (prefix(param)) {
            case EQUAL -> new Bounds(value.start(), value.end());
            // A target that is a whole day (an imported date) may start a day before and still reach past the value.
            case GREATERTHAN -> new Bounds(value.end().minus(DAY), null);
            case STARTS_AFTER -> new Bounds(value.end(), null);
            case GREATERTHAN_OR_EQUALS -> new Bounds(value.start().minus(DAY), null);
            case LESSTHAN, ENDS_BEFORE -> new Bounds(null, value.start());
            case LESSTHAN_OR_EQUALS -> new Bounds(null, value.end());
            case APPROXIMATE -> {
                Span near = approximately(value);
                yield new Bounds(near.start().minus(DAY), near.end());
            }
            case NOT_EQUAL -> Bounds.OPEN;
        };
    }

    private static final java.time.Duration DAY = java.time.Duration.ofDays(1);

    /**
     * Birth dates asked for, as days: [from, to) (either end open) less [notFrom, notTo) for a {@code ne}; {@code exact}
     * when that is one day. Exact for whole-day targets: the day bounds are tightened with the spec's test itself.
     */
    record Days(LocalDate exact, LocalDate from, LocalDate to, LocalDate notFrom, LocalDate notTo) {
    }

    static Days days(DateAndListParam dates) {
        if (dates == null) {
            return null;
        }
        LocalDate from = null;
        LocalDate to = null;
        LocalDate notFrom = null;
        LocalDate notTo = null;
        boolean excluded = false;
        for (DateOrListParam or : dates.getValuesAsQueryTokens()) {
            if (or.getValuesAsQueryTokens().size() != 1) {
                throw new InvalidRequestException("birthdate: one value per parameter (repeat the parameter to AND two), no comma lists");
            }
            DateParam p = or.getValuesAsQueryTokens().get(0);
            if (prefix(p) == ParamPrefixEnum.NOT_EQUAL) {
                if (excluded) {
                    throw new InvalidRequestException("birthdate: one ne at most");
                }
                excluded = true;
                Days eq = days(new DateAndListParam().addAnd(new DateParam(ParamPrefixEnum.EQUAL, p.getValueAsString())));
                notFrom = eq.from();
                notTo = eq.to();
                continue;
            }
            Bounds b = bounds(p);
            LocalDate f = b.from() == null ? null : LocalDate.ofInstant(b.from(), ZONE);
            LocalDate t = b.to() == null ? null : ceilDay(b.to());
            for (int i = 0; f != null && i < 3 && (t == null || f.isBefore(t)) && !matches(p, Span.of(f)); i++) {
                f = f.plusDays(1);
            }
            for (int i = 0; t != null && i < 3 && (f == null || f.isBefore(t)) && !matches(p, Span.of(t.minusDays(1))); i++) {
                t = t.minusDays(1);
            }
            from = f == null ? from : from == null || f.isAfter(from) ? f : from;
            to = t == null ? to : to == null || t.isBefore(to) ? t : to;
        }
        LocalDate exact = !excluded && from != null && to != null && to.equals(from.plusDays(1)) ? from : null;
        return new Days(exact, from, to, notFrom, notTo);
    }

    private static LocalDate ceilDay(Instant i) {
        LocalDate day = LocalDate.ofInstant(i, ZONE);
        return day.atStartOfDay(ZONE).toInstant().equals(i) ? day : day.plusDays(1);
    }

    /** The search value as the range its precision implies: {@code 2024-05} is the whole of May. */
    private static Span valueOf(DateParam param) {
        Date value = param.getValue();
        if (value == null) {
            throw new InvalidRequestException("a date parameter needs a date: e.g. ge2024-01-01 or 2024-05");
        }
        TemporalPrecisionEnum precision = param.getPrecision() == null ? TemporalPrecisionEnum.MILLI : param.getPrecision();
        return new Span(value.toInstant(), precision.add(value, 1).toInstant());
    }

    private static ParamPrefixEnum prefix(DateParam param) {
        return param.getPrefix() == null ? ParamPrefixEnum.EQUAL : param.getPrefix();
    }

    /** "Approximately": the value widened by a tenth of its distance from now, and by a day at least (the spec leaves it to us). */
    private static Span approximately(Span value) {
        Instant now = Instant.now();
        long gap = Math.abs(now.toEpochMilli() - value.start().toEpochMilli()) / 10;
        long margin = Math.max(gap, java.time.Duration.ofDays(1).toMillis());
        return new Span(value.start().minusMillis(margin), value.end().plusMillis(margin));
    }

    // ------------------------------------------------------------------ tokens

    /** Whether the concepts satisfy every token parameter (ANDed; the values of one parameter ORed). */
    static boolean matches(TokenAndListParam tokens, List<CodeableConcept> concepts) {
        if (tokens == null) {
            return true;
        }
        return everyParameter(tokens.getValuesAsQueryTokens(), t -> matches(t, concepts));
    }

    /** FHIR's AND of ORs: every repetition of a parameter has at least one of its comma-separated values matching. */
    private static <P extends IQueryParameterType> boolean everyParameter(List<? extends IQueryParameterOr<P>> and,
                                                                          Predicate<P> matches) {
        return and.stream().allMatch(or -> or.getValuesAsQueryTokens().stream().anyMatch(matches));
    }

    /**
     * Refuses, before any access is asked for, a modifier the token parameters do not take (so the refusal is a plain
     * 400, not an error in the middle of an audited search).
     */
    static void check(TokenAndListParam... tokens) {
        for (TokenAndListParam and : tokens) {
            if (and == null) {
                continue;
            }
            for (TokenOrListParam or : and.getValuesAsQueryTokens()) {
                for (TokenParam token : or.getValuesAsQueryTokens()) {
                    if (token.getModifier() != null && token.getModifier() != TokenParamModifier.TEXT) {
                        throw new InvalidRequestException("token searches take no :" + token.getModifier().getValue()
                                + " modifier here: system|code, |code, code or :text");
                    }
                }
            }
        }
    }

    /** Refuses, before any access is asked for, an order other than by the date parameter. */
    static void check(SortSpec sort, String dateParam) {
        if (sort != null && (!dateParam.equals(sort.getParamName()) || sort.getChain() != null)) {
            throw new InvalidRequestException("_sort: " + dateParam + " or -" + dateParam + " (the only order offered)");
        }
    }

    static boolean matches(TokenParam token, List<CodeableConcept> concepts) {
        if (token.getModifier() == TokenParamModifier.TEXT) {
            String wanted = lower(token.getValue());
            return concepts.stream().anyMatch(c -> lower(c.getText()).contains(wanted)
                    || c.getCoding().stream().anyMatch(coding -> lower(coding.getDisplay()).contains(wanted)));
        }
        if (token.getModifier() != null) {
            throw new InvalidRequestException("token searches take no :" + token.getModifier().getValue()
                    + " modifier here: system|code, |code, code or :text");
        }
        return concepts.stream().flatMap(c -> c.getCoding().stream()).anyMatch(c -> matches(token, c));
    }

    private static boolean matches(TokenParam token, Coding coding) {
        String system = token.getSystem();
        boolean systemMatches = system == null ? true : system.isEmpty() ? !coding.hasSystem() : system.equals(coding.getSystem());
        return systemMatches && (token.getValue() == null || token.getValue().isEmpty() || token.getValue().equals(coding.getCode()));
    }

    /** A code of a FHIR value set (a status, an intent) as a concept, for the same matching as any coding. */
    static CodeableConcept code(String system, String code) {
        CodeableConcept c = new CodeableConcept();
        if (code != null) {
            c.addCoding().setSystem(system).setCode(code);
        }
        return c;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ sorting

    /**
     * Sorts by the one sort parameter a resource supports here ({@code date}, or {@code -date} newest first); without
     * {@code _sort} the order is kept as found.
     */
    static <T> List<T> sorted(List<T> found, SortSpec sort, String dateParam, Function<T, Span> date) {
        check(sort, dateParam);
        if (sort == null) {
            return found;
        }
        Comparator<T> byDate = Comparator.comparing(t -> startOf(date.apply(t)), Comparator.nullsFirst(Comparator.naturalOrder()));
        return found.stream().sorted(sort.getOrder() == SortOrderEnum.DESC ? byDate.reversed() : byDate).toList();
    }

    private static Instant startOf(Span span) {
        return span == null ? null : span.start();
    }
}
