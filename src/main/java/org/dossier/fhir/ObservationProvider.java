package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.ObservationResult;
import org.dossier.clinical.ObservationService;
import org.dossier.organization.Actor;
import org.dossier.platform.Imported;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Observation: vital signs and results through the observation service (read, vread, history, create, search by
 * patient), and their mapping.
 */
@Component
class ObservationProvider extends VersionedProvider<Observation, org.dossier.clinical.Observation> {
    private final ObservationService observations;
    private final CompartmentIncludes includes;

    ObservationProvider(ObservationService observations, CompartmentIncludes includes) {
        super(Observation.class, ObservationProvider::observation, observations::readDated, observations::history);
        this.observations = observations;
        this.includes = includes;
    }

    /** Records a vital sign (its LOINC code) or a lab result (any LOINC code, with its value and unit). */
    @Create
    public MethodOutcome create(@ResourceParam Observation r, HttpServletRequest request) {
        long patient = PatientReference.subject(r.getSubject());
        String loinc = r.getCode().getCoding().stream().filter(c -> FhirCodes.LOINC.equals(c.getSystem())).map(c -> c.getCode())
                .findFirst().orElseThrow(() -> new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                        "code: a LOINC coding (system " + FhirCodes.LOINC + ") is required"));
        ObservationKind kind = Arrays.stream(ObservationKind.values()).filter(k -> loinc.equals(k.code())).findFirst().orElse(ObservationKind.LAB);
        java.math.BigDecimal value = null;
        java.math.BigDecimal value2 = null;
        String unit = null;
        if (kind == ObservationKind.BLOOD_PRESSURE) {
            for (var c : r.getComponent()) {
                String code = c.getCode().getCodingFirstRep().getCode();
                if ("8480-6".equals(code) && c.hasValueQuantity()) {
                    value = c.getValueQuantity().getValue();
                    unit = c.getValueQuantity().getCode();
                } else if ("8462-4".equals(code) && c.hasValueQuantity()) {
                    value2 = c.getValueQuantity().getValue();
                }
            }
        } else if (r.hasValueQuantity()) {
            value = r.getValueQuantity().getValue();
            unit = r.getValueQuantity().hasCode() ? r.getValueQuantity().getCode() : r.getValueQuantity().getUnit();
        }
        java.time.Instant at = r.hasEffectiveDateTimeType() ? r.getEffectiveDateTimeType().getValue().toInstant() : null;
        String label = r.getCode().hasText() ? r.getCode().getText() : r.getCode().getCodingFirstRep().getDisplay();
        var input = new ObservationService.ObservationInput(kind, value, value2, unit, at,
                kind == ObservationKind.LAB ? loinc : null, kind == ObservationKind.LAB ? label : null);
        Actor actor = FhirActor.current(request);
        return Outcomes.created(observation(observations.record(actor, patient, input)));
    }

    /**
     * A patient's measurements, newest first unless {@code _sort=date}: narrowed by {@code date} (prefixes eq ne gt lt
     * ge le sa eb ap), {@code category} (vital-signs, laboratory, or what an import sent) and {@code code} (any system,
     * or {@code :text}). One gateway decision for the patient; the answer is paged, every measurement reachable.
     */
    @Search
    public List<IBaseResource> byPatient(@RequiredParam(name = Observation.SP_PATIENT) ReferenceParam patient,
                                         @OptionalParam(name = Observation.SP_DATE) DateAndListParam date,
                                         @OptionalParam(name = Observation.SP_CATEGORY) TokenAndListParam category,
                                         @OptionalParam(name = Observation.SP_CODE) TokenAndListParam code,
                                         @IncludeParam Set<Include> include, @IncludeParam(reverse = true) Set<Include> revinclude,
                                         @Sort SortSpec sort, RequestDetails details, HttpServletRequest request) {
        long id = PatientReference.patientOf(patient);
        FhirSearch.check(category, code);
        FhirSearch.check(sort, Observation.SP_DATE);
        FhirSearch.Bounds window = FhirSearch.bounds(date);
        Actor actor = FhirActor.current(request);
        var records = includes.records(actor, id, include, revinclude, access -> observations.search(access, window.from(), window.to()),
                () -> observations.search(actor, id, window.from(), window.to()));
        List<Observation> found = records.records().stream().map(ObservationProvider::observation)
                .filter(o -> FhirSearch.matches(date, FhirSearch.Span.of(o.getEffective())))
                .filter(o -> FhirSearch.matches(category, o.getCategory()))
                .filter(o -> FhirSearch.matches(code, List.of(o.getCode())))
                .toList();
        return includes.with(records, "Observation",
                FhirSearch.sorted(found, sort, Observation.SP_DATE, o -> FhirSearch.Span.of(o.getEffective())), include, revinclude, details);
    }

    static Observation observation(org.dossier.clinical.Observation o) {
        Observation r = Versions.identified(new Observation(), o.id(), o.version());
        Imported source = o.source();
        ImportOrigins.mark(r, source);
        ObservationResult result = o.result();
        boolean imported = source != null && (!source.codings().isEmpty() || source.start() != null || source.status() != null);
        r.setStatus(!"FINAL".equals(o.status()) ? Observation.ObservationStatus.ENTEREDINERROR
                : imported && source.status() != null ? Observation.ObservationStatus.fromCode(source.status())
                : Observation.ObservationStatus.FINAL);
        categories(r, o, result, imported ? source : null);
        CodeableConcept code = FhirCodes.codeable(source, result != null && result.codeText() != null ? result.codeText() : o.label());
        if (code.getCoding().stream().noneMatch(c -> FhirCodes.LOINC.equals(c.getSystem()) && o.code().equals(c.getCode()))) {
            code.getCoding().add(0, new Coding(FhirCodes.LOINC, o.code(), o.label()));
        }
        r.setCode(code);
        r.setSubject(new Reference("Patient/" + o.patientId()));
        effective(r, o, result, imported ? source : null);
        if (imported && source.recorded() != null) {
            r.setIssuedElement(new org.hl7.fhir.r4.model.InstantType(source.recorded()));
        }
        if (!imported) {
            r.addPerformer(new Reference("Practitioner/" + o.recordedBy()));
        } else if (source.party() != null) {
            r.addPerformer(FhirCodes.party(source.party()));
        }
        value(r, o, result, source);
        if (result != null) {
            // What is not one number (a coded finding, a text, a reason for no value), and a panel's or survey's components.
            if (o.value() == null && result.value() != null) {
                ObservationValues.serve(result.value(), r);
            }
            result.components().forEach(c -> r.addComponent(ObservationValues.component(c)));
        }
        return r;
    }

    /** The categories as the result or the source grouped them, else ours (laboratory or vital signs). */
    private static void categories(Observation r, org.dossier.clinical.Observation o, ObservationResult result, Imported imported) {
        boolean lab = o.kind() == ObservationKind.LAB;
        if (result != null && !result.categories().isEmpty()) {
            // Grouped as sent (a category with several codings, or a text).
            result.categories().forEach(c -> r.addCategory(ObservationValues.concept(c)));
        } else if (imported != null && !imported.categories().isEmpty()) {
            imported.categories().forEach(c -> r.addCategory(FhirCodes.concept(c)));
        } else {
            r.addCategory(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/observation-category", lab ? "laboratory" : "vital-signs",
                    lab ? "Laboratory" : "Vital Signs"));
        }
    }

    /** When it was measured: the period sent, else the instant the source sent (as text), else ours to the second in UTC. */
    private static void effective(Observation r, org.dossier.clinical.Observation o, ObservationResult result, Imported imported) {
        if (result != null && result.effectivePeriod() != null) {
            org.hl7.fhir.r4.model.Period period = new org.hl7.fhir.r4.model.Period();
            if (result.effectivePeriod().start() != null) {
                period.setStartElement(new DateTimeType(result.effectivePeriod().start()));
            }
            if (result.effectivePeriod().end() != null) {
                period.setEndElement(new DateTimeType(result.effectivePeriod().end()));
            }
            r.setEffective(period);
        } else {
            r.setEffective(imported != null && imported.start() != null ? new DateTimeType(imported.start())
                    : new DateTimeType(Date.from(o.effectiveAt()), TemporalPrecisionEnum.SECOND, java.util.TimeZone.getTimeZone("UTC")));
        }
    }

    /** The number: a blood pressure's two components, a result's exact quantity, or the value kept (with the one measured). */
    private static void value(Observation r, org.dossier.clinical.Observation o, ObservationResult result, Imported source) {
        if (o.kind() == ObservationKind.BLOOD_PRESSURE) {
            r.addComponent().setCode(new CodeableConcept().addCoding(new Coding(FhirCodes.LOINC, "8480-6", "Systolic blood pressure")))
                    .setValue(quantity(o.value(), o.unit()));
            r.addComponent().setCode(new CodeableConcept().addCoding(new Coding(FhirCodes.LOINC, "8462-4", "Diastolic blood pressure")))
                    .setValue(quantity(o.value2(), o.unit()));
        } else if (o.value() != null && result != null && result.value() != null && result.value().quantity() != null) {
            // Finer than the column's thousandths: the number exactly as sent.
            r.setValue(ObservationValues.quantity(result.value().quantity()));
        } else if (o.value() != null) {
            Quantity value = quantity(o.value(), o.unit());
            if (source != null && source.original() != null) {
                // The value as measured, before conversion to the unit the record keeps (°F → °C, lb → kg, in → cm).
                Imported.Quantity m = source.original();
                value.addExtension(FhirCodes.ORIGINAL_QUANTITY, new Quantity().setValue(m.value()).setUnit(m.unit()).setSystem(m.system()).setCode(m.code()));
            }
            r.setValue(value);
        }
    }

    private static Quantity quantity(BigDecimal value, String unit) {
        Quantity q = new Quantity().setValue(value);
        if (unit != null) {
            q.setUnit(unit).setSystem(FhirCodes.UCUM).setCode(unit);
        }
        return q;
    }
}
