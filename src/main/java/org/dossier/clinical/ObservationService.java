package org.dossier.clinical;

import org.dossier.platform.Deferred;
import org.dossier.platform.QueryBatch;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.FieldError;
import org.dossier.platform.Imported;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Vital signs and results (numbers checked against plausible ranges; coded findings, texts and surveys as sent). */
@Service
public class ObservationService extends VersionedRecords<Observation> {

    private static final Pattern LOINC = Pattern.compile("\\d{1,7}-\\d");
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final int MAX_SERIES = 500;
    /** More than a long life's worth of one patient's measurements in one answer: beyond it, narrow by date. */
    public static final int MAX_SEARCH = 5_000;

    private final ClinicalRepository repository;

    ObservationService(ClinicalRepository repository, ClinicalAccess access, RecordLocator locator,
                       @Qualifier("clinicalVersions") VersionLog clinicalVersions, Clock clock) {
        super(RecordKind.OBSERVATION, Observation.class, access, locator, clinicalVersions, clock);
        this.repository = repository;
    }

    /** A measurement as entered; code, label and unit are implied for vital signs and required for lab results. */
    public record ObservationInput(ObservationKind kind, BigDecimal value, BigDecimal value2, String unit, Instant effectiveAt,
                                   String code, String label) {
    }

    @Transactional
    public Observation record(Actor actor, long patientId, ObservationInput in) {
        return record(actor, patientId, in, null);
    }

    /**
     * A measurement, possibly from another system's history with what the source said of it. A vital sign given in
     * another UCUM unit that converts to the kind's (°F, K, lb, oz, g, in, ft, m, mm) is converted, and the value as
     * measured is kept beside it; any other unit is refused.
     */
    @Transactional
    public Observation record(Actor actor, long patientId, ObservationInput in, Imported source) {
        return record(actor, patientId, in, source, null);
    }

    /**
     * {@link #record(Actor, long, ObservationInput, Imported)}, with what the observation holds beyond one number (ADR
     * 0027): a coded finding, a text, a value absent with its reason, components. Then {@code value} may be empty (kind
     * LAB, any LOINC code); a vital sign keeps needing its number.
     */
    @Transactional
    public Observation record(Actor actor, long patientId, ObservationInput in, Imported source, ObservationResult result) {
        PatientAccess granted = forCreating(actor, patientId, Role.PHYSICIAN, Role.NURSE);
        if (in != null && in.kind() != null && in.kind().isVitalSign() && in.kind() != ObservationKind.BLOOD_PRESSURE && in.unit() != null
                && !in.unit().isBlank() && !in.unit().strip().equals(in.kind().unit())) {
            BigDecimal converted = Units.convert(in.value(), in.unit().strip(), in.kind().unit());
            if (converted != null) {
                Imported.Quantity measured = new Imported.Quantity(in.value(), in.unit().strip(), "http://unitsofmeasure.org", in.unit().strip());
                source = source == null ? Imported.measured(measured) : source.withOriginal(measured);
                in = new ObservationInput(in.kind(), converted, in.value2(), in.kind().unit(), in.effectiveAt(), in.code(), in.label());
            }
        }
        Instant now = clock.instant();
        Instant effective = in.effectiveAt() == null ? now : in.effectiveAt();
        List<FieldError> errors = validate(in, effective, now, result != null && result.holdsAValue());
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        ObservationKind kind = in.kind();
        String code = kind.isVitalSign() ? kind.code() : in.code().strip();
        String label = kind.isVitalSign() ? kind.label() : in.label().strip();
        String unit = kind.isVitalSign() ? kind.unit() : in.value() == null ? null : in.unit().strip();
        long id = repository.insertObservation(granted, kind, code, label, in.value(), kind == ObservationKind.BLOOD_PRESSURE ? in.value2() : null,
                unit, effective, now, source, result == null || result.equals(EMPTY) ? null : result);
        return logged(granted, id, "recorded", now);
    }

    /** A wrong measurement is marked, never changed or deleted; record the right one as a new observation. */
    @Transactional
    public Observation markEnteredInError(Actor actor, long observationId, int expectedVersion, String reason) {
        return enteredInError(actor, observationId, expectedVersion, reason, o -> "FINAL".equals(o.status()), repository::markObservationInError);
    }

    /** Releases a result to the patient (ADR 0044): a physician of the patient's care, audited; the portal then shows it. */
    @Transactional
    public Observation release(Actor actor, long observationId) {
        return release(actor, observationId, o -> "FINAL".equals(o.status()), repository::release);
    }

    /** The results released to the patient (at most 200, newest first), under an access already granted and audited. */
    public List<Observation> released(PatientAccess granted) {
        return repository.releasedObservations(granted.require(Section.CLINICAL), 200);
    }

    /** Which of the patient's results were released to them (the chart marks them). */
    public java.util.Set<Long> releasedIds(PatientAccess granted) {
        return repository.releasedIds(granted.require(Section.CLINICAL), RecordKind.OBSERVATION);
    }

    public Observation read(Actor actor, long observationId) {
        return one(actor, observationId);
    }

    /** A series for charts and trends: at most 500 values, newest first. */
    public List<Observation> series(Actor actor, long patientId, ObservationKind kind, Instant from, Instant to) {
        return series(forList(actor, patientId), kind, from, to);
    }

    /** Under an access already granted and audited (a chart tab). */
    public List<Observation> series(PatientAccess granted, ObservationKind kind, Instant from, Instant to) {
        granted.require(Section.CLINICAL);
        Instant end = to == null ? clock.instant().plus(CLOCK_SKEW) : to;
        Instant start = from == null ? end.minus(Duration.ofDays(365)) : from;
        if (!end.isAfter(start)) {
            throw new InvalidInputException("to", "must be after from");
        }
        return repository.observations(granted, kind, start, end, MAX_SERIES);
    }

    /**
     * Every measurement of one patient taken in [from, to) (either open), newest first: one gateway decision and one
     * audit entry for the patient, however many are found. More than {@value #MAX_SEARCH} is refused rather than cut,
     * so that a client paging through the answer never misses one silently.
     */
    public List<Observation> search(Actor actor, long patientId, Instant from, Instant to) {
        return search(forList(actor, patientId), from, to);
    }

    /**
     * The patient's observations among {@code ids} (a report's results), under an access already granted and audited;
     * an id naming another patient's observation finds nothing.
     */
    public List<Observation> among(PatientAccess granted, java.util.Collection<Long> ids) {
        return repository.observations(granted.require(Section.CLINICAL), ids);
    }

    /** Every measurement of the patient, as {@link #search(PatientAccess, Instant, Instant)} with no dates. */
    public List<Observation> all(PatientAccess granted) {
        return search(granted, null, null);
    }

    /**
     * {@link #search(Actor, long, Instant, Instant)} under an access already granted and audited (a whole record sent at
     * once, as FHIR's {@code $everything}, or a search with the resources it includes).
     */
    public List<Observation> search(PatientAccess granted, Instant from, Instant to) {
        granted.require(Section.CLINICAL);
        if (from != null && to != null && !to.isAfter(from)) {
            return List.of();
        }
        List<Observation> found = repository.observations(granted, from, to, MAX_SEARCH + 1);
        if (found.size() > MAX_SEARCH) {
            throw new InvalidInputException("date", "more than " + MAX_SEARCH + " observations: narrow the search by date");
        }
        return found;
    }

    public List<Observation> latest(Actor actor, long patientId) {
        return latest(forList(actor, patientId));
    }

    /** Under an access already granted and audited (the chart). */
    public List<Observation> latest(PatientAccess granted) {
        return repository.latestObservations(granted.require(Section.CLINICAL));
    }

    /** {@link #latest(PatientAccess)}, read with other sections in one round trip when {@code batch} runs. */
    public Deferred<List<Observation>> latest(PatientAccess granted, QueryBatch batch) {
        return batch.add(repository.latestObservationsQuery(granted.require(Section.CLINICAL)));
    }

    public List<VersionLog.Version<Observation>> history(Actor actor, long observationId) {
        return versions(actor, observationId);
    }

    /**
     * {@link #read}, with the time the record's current version was recorded (the Last-Modified of an answer showing it;
     * null when that version is not kept): one gateway decision, as a read.
     */
    public VersionLog.Dated<Observation> readDated(Actor actor, long id) {
        return dated(actor, id);
    }

    @Override
    Optional<Observation> find(PatientAccess granted, long id) {
        return repository.observation(granted, id);
    }

    private static final ObservationResult EMPTY = new ObservationResult(null, null, null, null, null);

    private static List<FieldError> validate(ObservationInput in, Instant effective, Instant now, boolean holdsAnotherValue) {
        List<FieldError> errors = new ArrayList<>();
        if (in.kind() == null) {
            errors.add(new FieldError("kind", "is required: BLOOD_PRESSURE, HEART_RATE, TEMPERATURE, WEIGHT, SPO2, RESPIRATORY_RATE, HEIGHT or LAB"));
            return errors;
        }
        ObservationKind kind = in.kind();
        // A coded finding, a text or a survey's answers hold no single number: only a result (LAB) may go without one.
        boolean valueless = in.value() == null && holdsAnotherValue && kind == ObservationKind.LAB;
        if (in.value() == null && !valueless) {
            errors.add(new FieldError("value", kind.isVitalSign() ? "is required" : "is required (or what the observation holds instead)"));
        } else if (valueless) {
            if (in.value2() != null) {
                errors.add(new FieldError("value2", "only blood pressure has a second value"));
            }
        } else if (in.value().compareTo(kind.min()) < 0 || in.value().compareTo(kind.max()) > 0) {
            errors.add(new FieldError("value", outOfRange(kind, kind.min(), kind.max())));
        }
        if (kind == ObservationKind.BLOOD_PRESSURE) {
            if (in.value2() == null) {
                errors.add(new FieldError("value2", "the diastolic pressure is required"));
            } else if (in.value2().compareTo(BigDecimal.valueOf(20)) < 0 || in.value2().compareTo(BigDecimal.valueOf(200)) > 0) {
                errors.add(new FieldError("value2", "diastolic pressure must be between 20 and 200 mm[Hg]"));
            } else if (in.value() != null && in.value2().compareTo(in.value()) >= 0) {
                errors.add(new FieldError("value2", "the diastolic pressure must be lower than the systolic"));
            }
        } else if (in.value2() != null) {
            errors.add(new FieldError("value2", "only blood pressure has a second value"));
        }
        if (kind.isVitalSign()) {
            if (in.unit() != null && !in.unit().isBlank() && !in.unit().strip().equals(kind.unit())) {
                errors.add(new FieldError("unit", kind + " is recorded in " + kind.unit() + " (or a UCUM unit that converts to it)"));
            }
        } else {
            if (in.code() == null || !LOINC.matcher(in.code().strip()).matches()) {
                errors.add(new FieldError("code", "a lab result needs its LOINC code, such as 2345-7"));
            }
            if (Texts.isBlank(in.label()) || in.label().length() > 200) {
                errors.add(new FieldError("label", "a lab result needs its label (at most 200 characters)"));
            }
            if (!valueless && (Texts.isBlank(in.unit()) || in.unit().length() > 30)) {
                errors.add(new FieldError("unit", "a lab result needs its UCUM unit, such as mmol/L"));
            }
        }
        if (effective.isAfter(now.plus(CLOCK_SKEW))) {
            errors.add(new FieldError("effectiveAt", "is in the future"));
        }
        return errors;
    }

    private static String outOfRange(ObservationKind kind, BigDecimal min, BigDecimal max) {
        return kind.isVitalSign()
                ? kind + " must be between " + min.stripTrailingZeros().toPlainString() + " and " + max.stripTrailingZeros().toPlainString()
                + " " + kind.unit() + "; check the value and its unit"
                : "is not a plausible number";
    }
}
