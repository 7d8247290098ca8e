package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.care.StayService;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.ProblemService;
import org.dossier.prescribing.PrescriptionService;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The clinical resources: read by id, and search by patient (the only entry point: each search is one gateway
 * decision about that patient). Each provider calls the owning module's service; nothing else.
 */
final class ClinicalProviders {

    private ClinicalProviders() {
    }

    static MethodOutcome created(org.hl7.fhir.r4.model.Resource resource) {
        MethodOutcome outcome = new MethodOutcome(resource.getIdElement().withResourceType(resource.fhirType())
                .withVersion(resource.getMeta().getVersionId()), true);
        outcome.setResource(resource);
        outcome.setOperationOutcome(said("Created " + outcome.getId().toUnqualified().getValue()));
        return outcome;
    }

    /**
     * The version {@code id} names among a resource's versions (vread, newest first): 410 for a version older than the
     * oldest kept (it existed, the history here does not hold it — records loaded in bulk keep their version at
     * loading only), 404 for one that never existed.
     */
    static <T extends org.hl7.fhir.r4.model.Resource> T version(List<T> versions, IdType id) {
        String name = (id.hasResourceType() ? id.getResourceType() + "/" : "") + id.getIdPart();
        String asked = id.getVersionIdPart();
        return versions.stream().filter(v -> v.getMeta().getVersionId().equals(asked)).findFirst().orElseThrow(() -> {
            int oldest = versions.stream().mapToInt(v -> Integer.parseInt(v.getMeta().getVersionId())).min().orElse(Integer.MAX_VALUE);
            if (asked.matches("\\d{1,9}") && Integer.parseInt(asked) >= 1 && Integer.parseInt(asked) < oldest && oldest != Integer.MAX_VALUE) {
                return new ca.uhn.fhir.rest.server.exceptions.ResourceGoneException("Version " + asked + " of " + name
                        + " is not kept: its history here starts at version " + oldest + " (see " + name + "/_history)");
            }
            return new ResourceNotFoundException("No version " + asked + " of " + name + " (see " + name + "/_history)");
        });
    }

    static MethodOutcome updated(org.hl7.fhir.r4.model.Resource resource) {
        MethodOutcome outcome = new MethodOutcome(resource.getIdElement().withResourceType(resource.fhirType())
                .withVersion(resource.getMeta().getVersionId()));
        outcome.setResource(resource);
        outcome.setOperationOutcome(said("Updated " + outcome.getId().toUnqualified().getValue()));
        return outcome;
    }

    /** What {@code Prefer: return=OperationOutcome} gets instead of the resource: one information issue. */
    private static org.hl7.fhir.r4.model.OperationOutcome said(String what) {
        org.hl7.fhir.r4.model.OperationOutcome outcome = new org.hl7.fhir.r4.model.OperationOutcome();
        outcome.addIssue().setSeverity(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.INFORMATION)
                .setCode(org.hl7.fhir.r4.model.OperationOutcome.IssueType.INFORMATIONAL).setDiagnostics(what);
        return outcome;
    }

    /** A resource read now, with the time its version was recorded (the answer's Last-Modified) when it is kept. */
    static <T extends org.hl7.fhir.r4.model.Resource> T changedAt(T resource, java.time.Instant at) {
        if (at != null) {
            resource.getMeta().setLastUpdated(java.util.Date.from(at));
        }
        return resource;
    }

    static long subject(org.hl7.fhir.r4.model.Reference reference) {
        var id = reference.getReferenceElement();
        if (!"Patient".equals(id.getResourceType()) || !id.isIdPartValidLong()) {
            throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("the patient must be a reference Patient/<id> of this server");
        }
        return id.getIdPartAsLong();
    }

    static long patientOf(ReferenceParam patient) {
        String id = patient.getIdPart();
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new InvalidRequestException("patient must be a Patient id, e.g. patient=Patient/123");
        }
        return Long.parseLong(id);
    }

    @Component
    static class AllergyIntoleranceProvider implements IResourceProvider {
        private final AllergyService allergies;
        private final FhirCalls calls;
        private final CompartmentIncludes includes;

        AllergyIntoleranceProvider(AllergyService allergies, FhirCalls calls, CompartmentIncludes includes) {
            this.allergies = allergies;
            this.calls = calls;
            this.includes = includes;
        }

        @Override
        public Class<AllergyIntolerance> getResourceType() {
            return AllergyIntolerance.class;
        }

        /** Read, and vread of the versions we keep. */
        @Read(version = true)
        public AllergyIntolerance read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return version(history(id, request), id);
            }
            return calls.as(request, actor -> FhirMapping.allergy(allergies.read(actor, FhirCalls.id(id))));
        }

        @History
        public List<AllergyIntolerance> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> allergies.history(actor, FhirCalls.id(id)).stream().map(v -> {
                AllergyIntolerance r = FhirMapping.allergy(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(java.util.Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /** Records an allergy (physician or nurse caring for the patient): substance (text, ATC when coded), reaction, severity. */
        @Create
        public MethodOutcome create(@ResourceParam AllergyIntolerance r, HttpServletRequest request) {
            long patient = subject(r.getPatient());
            var input = input(r);
            return calls.as(request, actor -> created(FhirMapping.allergy(allergies.record(actor, patient, input))));
        }

        /** Changes an allergy (If-Match the version changed, X-Dossier-Change-Reason why); the old version stays in its history. */
        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam AllergyIntolerance r, HttpServletRequest request) {
            int expected = FhirCalls.expectedVersion(id);
            var input = input(r);
            return calls.as(request, actor -> updated(FhirMapping.allergy(allergies.change(actor, FhirCalls.id(id), expected, input,
                    FhirCalls.changeReason(request)))));
        }

        private static AllergyService.AllergyInput input(AllergyIntolerance r) {
            String substance = r.getCode().hasText() ? r.getCode().getText() : r.getCode().getCodingFirstRep().getDisplay();
            String atc = r.getCode().getCoding().stream().filter(c -> FhirMapping.ATC.equals(c.getSystem())).map(c -> c.getCode())
                    .findFirst().orElse(null);
            var reaction = r.getReactionFirstRep();
            org.dossier.clinical.Allergy.Severity severity = reaction.hasSeverity() ? switch (reaction.getSeverity()) {
                case MILD -> org.dossier.clinical.Allergy.Severity.MILD;
                case SEVERE -> org.dossier.clinical.Allergy.Severity.SEVERE;
                default -> org.dossier.clinical.Allergy.Severity.MODERATE;
            } : r.getCriticality() == AllergyIntolerance.AllergyIntoleranceCriticality.HIGH ? org.dossier.clinical.Allergy.Severity.SEVERE
                    : r.getCriticality() == AllergyIntolerance.AllergyIntoleranceCriticality.LOW ? org.dossier.clinical.Allergy.Severity.MILD : null;
            String manifestation = reaction.hasManifestation() ? reaction.getManifestationFirstRep().getText() : null;
            String clinical = r.hasClinicalStatus() ? r.getClinicalStatus().getCodingFirstRep().getCode() : "active";
            org.dossier.clinical.Allergy.Status status = "resolved".equals(clinical) ? org.dossier.clinical.Allergy.Status.RESOLVED
                    : "inactive".equals(clinical) ? org.dossier.clinical.Allergy.Status.INACTIVE : org.dossier.clinical.Allergy.Status.ACTIVE;
            return new AllergyService.AllergyInput(substance, atc, manifestation, severity,
                    r.getType() == AllergyIntolerance.AllergyIntoleranceType.INTOLERANCE ? org.dossier.clinical.Allergy.Kind.INTOLERANCE
                            : org.dossier.clinical.Allergy.Kind.ALLERGY, status);
        }

        /**
         * A patient's allergies, optionally by {@code clinical-status} (active, inactive, resolved) and {@code _lastUpdated}
         * (when the current version was recorded, with the date prefixes).
         */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = AllergyIntolerance.SP_PATIENT) ReferenceParam patient,
                                             @OptionalParam(name = AllergyIntolerance.SP_CLINICAL_STATUS) TokenAndListParam clinicalStatus,
                                             @OptionalParam(name = FhirSearch.LAST_UPDATED) DateAndListParam lastUpdated,
                                             @IncludeParam Set<Include> include, @IncludeParam(reverse = true) Set<Include> revinclude,
                                             RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(clinicalStatus);
            long id = patientOf(patient);
            return calls.as(request, actor -> {
                var found = includes.records(actor, id, include, revinclude, access -> allergies.ofPatient(access, false),
                        () -> allergies.ofPatient(actor, id, false));
                List<AllergyIntolerance> matches = found.records().stream().map(FhirMapping::allergy)
                        .filter(a -> FhirSearch.matches(clinicalStatus, List.of(a.getClinicalStatus())))
                        .filter(a -> FhirSearch.matches(lastUpdated, FhirSearch.Span.of(a.getMeta().getLastUpdatedElement()))).toList();
                return includes.with(found, "AllergyIntolerance", matches, include, revinclude, details);
            });
        }
    }

    @Component
    static class ConditionProvider implements IResourceProvider {
        private final ProblemService problems;
        private final FhirCalls calls;
        private final CompartmentIncludes includes;

        ConditionProvider(ProblemService problems, FhirCalls calls, CompartmentIncludes includes) {
            this.problems = problems;
            this.calls = calls;
            this.includes = includes;
        }

        @Override
        public Class<Condition> getResourceType() {
            return Condition.class;
        }

        /** Read, and vread of the versions we keep. */
        @Read(version = true)
        public Condition read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return version(history(id, request), id);
            }
            return calls.as(request, actor -> FhirMapping.condition(problems.read(actor, FhirCalls.id(id))));
        }

        @History
        public List<Condition> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> problems.history(actor, FhirCalls.id(id)).stream().map(v -> {
                Condition r = FhirMapping.condition(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(java.util.Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /** Records a diagnosis (physician caring for the patient); the code must be ICD-10, as in the rest of the record. */
        @Create
        public MethodOutcome create(@ResourceParam Condition r, HttpServletRequest request) {
            long patient = subject(r.getSubject());
            var input = input(r);
            return calls.as(request, actor -> created(FhirMapping.condition(problems.record(actor, patient, input))));
        }

        /** Changes a diagnosis (If-Match the version changed, X-Dossier-Change-Reason why); ICD-10, as a diagnosis made here. */
        @Update
        public MethodOutcome update(@IdParam IdType id, @ResourceParam Condition r, HttpServletRequest request) {
            int expected = FhirCalls.expectedVersion(id);
            var input = input(r);
            return calls.as(request, actor -> updated(FhirMapping.condition(problems.change(actor, FhirCalls.id(id), expected, input,
                    FhirCalls.changeReason(request)))));
        }

        private static ProblemService.ProblemInput input(Condition r) {
            String icd10 = r.getCode().getCoding().stream().filter(c -> FhirMapping.ICD10.equals(c.getSystem())).map(c -> c.getCode())
                    .findFirst().orElseThrow(() -> new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                            "code: an ICD-10 coding (system " + FhirMapping.ICD10 + ") is required"));
            String label = r.getCode().hasText() ? r.getCode().getText() : r.getCode().getCodingFirstRep().getDisplay();
            java.time.LocalDate onset = r.hasOnsetDateTimeType() ? FhirMapping.day(r.getOnsetDateTimeType().getValueAsString()) : null;
            boolean resolved = r.hasClinicalStatus() && "resolved".equals(r.getClinicalStatus().getCodingFirstRep().getCode());
            return new ProblemService.ProblemInput(icd10, label, onset,
                    resolved ? org.dossier.clinical.Problem.Status.RESOLVED : org.dossier.clinical.Problem.Status.ACTIVE);
        }

        /**
         * A patient's problems, by {@code clinical-status}, {@code category}, {@code onset-date} and {@code _lastUpdated} (when
         * the current version was recorded), dates with their prefixes.
         */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = Condition.SP_PATIENT) ReferenceParam patient,
                                             @OptionalParam(name = Condition.SP_CLINICAL_STATUS) TokenAndListParam clinicalStatus,
                                             @OptionalParam(name = Condition.SP_CATEGORY) TokenAndListParam category,
                                             @OptionalParam(name = Condition.SP_ONSET_DATE) DateAndListParam onset,
                                             @OptionalParam(name = FhirSearch.LAST_UPDATED) DateAndListParam lastUpdated,
                                             @IncludeParam Set<Include> include, @IncludeParam(reverse = true) Set<Include> revinclude,
                                             RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(clinicalStatus, category);
            long id = patientOf(patient);
            return calls.as(request, actor -> {
                var found = includes.records(actor, id, include, revinclude, access -> problems.ofPatient(access, false),
                        () -> problems.ofPatient(actor, id, false));
                List<Condition> matches = found.records().stream().map(FhirMapping::condition)
                        .filter(c -> FhirSearch.matches(clinicalStatus, List.of(c.getClinicalStatus())))
                        .filter(c -> FhirSearch.matches(category, c.getCategory()))
                        .filter(c -> FhirSearch.matches(onset, c.hasOnset() ? FhirSearch.Span.of(c.getOnset()) : null))
                        .filter(c -> FhirSearch.matches(lastUpdated, FhirSearch.Span.of(c.getMeta().getLastUpdatedElement())))
                        .toList();
                return includes.with(found, "Condition", matches, include, revinclude, details);
            });
        }
    }

    @Component
    static class ObservationProvider implements IResourceProvider {
        private final ObservationService observations;
        private final FhirCalls calls;
        private final CompartmentIncludes includes;

        ObservationProvider(ObservationService observations, FhirCalls calls, CompartmentIncludes includes) {
            this.observations = observations;
            this.calls = calls;
            this.includes = includes;
        }

        @Override
        public Class<Observation> getResourceType() {
            return Observation.class;
        }

        /** Read, and vread of the versions we keep (a measurement marked entered in error is version 2). */
        @Read(version = true)
        public Observation read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return version(history(id, request), id);
            }
            return calls.as(request, actor -> {
                var o = observations.readDated(actor, FhirCalls.id(id));
                return changedAt(FhirMapping.observation(o.record()), o.recordedAt());
            });
        }

        @History
        public List<Observation> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> observations.history(actor, FhirCalls.id(id)).stream().map(v -> {
                Observation r = FhirMapping.observation(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(java.util.Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /** Records a vital sign (its LOINC code) or a lab result (any LOINC code, with its value and unit). */
        @Create
        public MethodOutcome create(@ResourceParam Observation r, HttpServletRequest request) {
            long patient = subject(r.getSubject());
            String loinc = r.getCode().getCoding().stream().filter(c -> FhirMapping.LOINC.equals(c.getSystem())).map(c -> c.getCode())
                    .findFirst().orElseThrow(() -> new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                            "code: a LOINC coding (system " + FhirMapping.LOINC + ") is required"));
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
            return calls.as(request, actor -> created(FhirMapping.observation(observations.record(actor, patient, input))));
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
            long id = patientOf(patient);
            FhirSearch.check(category, code);
            FhirSearch.check(sort, Observation.SP_DATE);
            FhirSearch.Bounds window = FhirSearch.bounds(date);
            return calls.as(request, actor -> {
                var records = includes.records(actor, id, include, revinclude, access -> observations.search(access, window.from(), window.to()),
                        () -> observations.search(actor, id, window.from(), window.to()));
                List<Observation> found = records.records().stream().map(FhirMapping::observation)
                        .filter(o -> FhirSearch.matches(date, FhirSearch.Span.of(o.getEffective())))
                        .filter(o -> FhirSearch.matches(category, o.getCategory()))
                        .filter(o -> FhirSearch.matches(code, List.of(o.getCode())))
                        .toList();
                return includes.with(records, "Observation",
                        FhirSearch.sorted(found, sort, Observation.SP_DATE, o -> FhirSearch.Span.of(o.getEffective())), include, revinclude, details);
            });
        }
    }

    @Component
    static class MedicationRequestProvider implements IResourceProvider {
        private final PrescriptionService prescriptions;
        private final FhirCalls calls;
        private final CompartmentIncludes includes;

        MedicationRequestProvider(PrescriptionService prescriptions, FhirCalls calls, CompartmentIncludes includes) {
            this.prescriptions = prescriptions;
            this.calls = calls;
            this.includes = includes;
        }

        @Override
        public Class<MedicationRequest> getResourceType() {
            return MedicationRequest.class;
        }

        /** Read, and vread of the versions we keep. */
        @Read(version = true)
        public MedicationRequest read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return version(history(id, request), id);
            }
            return calls.as(request, actor -> {
                var o = prescriptions.readDated(actor, FhirCalls.id(id));
                return changedAt(FhirMapping.medicationRequest(o.record()), o.recordedAt());
            });
        }

        @History
        public List<MedicationRequest> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> prescriptions.history(actor, FhirCalls.id(id)).stream().map(v -> {
                MedicationRequest r = FhirMapping.medicationRequest(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(java.util.Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /**
         * Prescribes (physician caring for the patient): the drug as text with its ATC coding when known, the first
         * dosage instruction's dose (doseAndRate.doseQuantity, or text), route (ORAL, IV, …), frequency (timing, or
         * text) and duration (dispenseRequest.expectedSupplyDuration in days). Against an active allergy the answer is
         * 409 until the reason to go on is sent in {@code X-Dossier-Allergy-Override}.
         */
        @Create
        public MethodOutcome create(@ResourceParam MedicationRequest r, HttpServletRequest request) {
            long patient = subject(r.getSubject());
            if (!r.hasMedicationCodeableConcept()) {
                throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("medicationCodeableConcept is required");
            }
            var drug = r.getMedicationCodeableConcept();
            String name = drug.hasText() ? drug.getText() : drug.getCodingFirstRep().getDisplay();
            String atc = drug.getCoding().stream().filter(c -> FhirMapping.ATC.equals(c.getSystem())).map(c -> c.getCode()).findFirst().orElse(null);
            var dosage = r.getDosageInstructionFirstRep();
            String dose = FhirMapping.dose(dosage);
            String route = dosage.hasRoute() ? dosage.getRoute().hasText() ? dosage.getRoute().getText() : dosage.getRoute().getCodingFirstRep().getCode() : null;
            String frequency = FhirMapping.frequency(dosage);
            Integer days = null;
            if (r.getDispenseRequest().hasExpectedSupplyDuration()) {
                var supply = r.getDispenseRequest().getExpectedSupplyDuration();
                if (!supply.hasValue() || !java.util.Set.of("d", "day", "days").contains(supply.hasCode() ? supply.getCode() : supply.getUnit())) {
                    throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                            "dispenseRequest.expectedSupplyDuration: a number of days (code d) is expected");
                }
                days = supply.getValue().intValue();
            }
            java.time.LocalDate start = r.getDispenseRequest().getValidityPeriod().hasStart()
                    ? FhirMapping.day(r.getDispenseRequest().getValidityPeriod().getStartElement().getValueAsString()) : null;
            var stayRef = r.getEncounter().getReferenceElement();
            Long stay = stayRef.isIdPartValidLong() ? stayRef.getIdPartAsLong() : null;
            var input = new PrescriptionService.OrderInput(name, atc, null, dose, route, frequency, days, start, stay,
                    request.getHeader("X-Dossier-Allergy-Override"));
            return calls.as(request, actor -> created(FhirMapping.medicationRequest(prescriptions.prescribe(actor, patient, input))));
        }

        /** A patient's orders, by {@code status}, {@code intent} and {@code authoredon} (with its prefixes). */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = MedicationRequest.SP_PATIENT) ReferenceParam patient,
                                             @OptionalParam(name = MedicationRequest.SP_STATUS) TokenAndListParam status,
                                             @OptionalParam(name = MedicationRequest.SP_INTENT) TokenAndListParam intent,
                                             @OptionalParam(name = MedicationRequest.SP_AUTHOREDON) DateAndListParam authoredOn,
                                             @IncludeParam Set<Include> include, @IncludeParam(reverse = true) Set<Include> revinclude,
                                             RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(status, intent);
            long id = patientOf(patient);
            return calls.as(request, actor -> {
                var found = includes.records(actor, id, include, revinclude, access -> prescriptions.ofPatient(access, false),
                        () -> prescriptions.ofPatient(actor, id, false));
                List<MedicationRequest> matches = found.records().stream()
                    .map(FhirMapping::medicationRequest)
                    .filter(m -> FhirSearch.matches(status, List.of(FhirSearch.code(m.hasStatus() ? m.getStatus().getSystem() : null,
                            m.hasStatus() ? m.getStatus().toCode() : null))))
                    .filter(m -> FhirSearch.matches(intent, List.of(FhirSearch.code(m.hasIntent() ? m.getIntent().getSystem() : null,
                            m.hasIntent() ? m.getIntent().toCode() : null))))
                    .filter(m -> FhirSearch.matches(authoredOn, m.hasAuthoredOn() ? FhirSearch.Span.of(m.getAuthoredOnElement()) : null))
                    .toList();
                return includes.with(found, "MedicationRequest", matches, include, revinclude, details);
            });
        }
    }

    @Component
    static class EncounterProvider implements IResourceProvider {
        private final StayService stays;
        private final org.dossier.care.EncounterHistoryService history;
        private final FhirCalls calls;
        private final CompartmentIncludes includes;

        EncounterProvider(StayService stays, org.dossier.care.EncounterHistoryService history, FhirCalls calls, CompartmentIncludes includes) {
            this.stays = stays;
            this.history = history;
            this.calls = calls;
            this.includes = includes;
        }

        @Override
        public Class<Encounter> getResourceType() {
            return Encounter.class;
        }

        /** A stay here (a number, with vread), or an encounter imported as history ("h" and a number). */
        @Read(version = true)
        public Encounter read(@IdParam IdType id, HttpServletRequest request) {
            String part = id.getIdPart();
            if (isPast(id)) {
                return id.hasVersionIdPart() ? version(versions(id, request), id) : past(id, request);
            }
            if (id.hasVersionIdPart()) {
                return version(versions(id, request), id);
            }
            return calls.as(request, actor -> {
                var stay = stays.readDated(actor, FhirCalls.id(id));
                return changedAt(FhirMapping.encounter(stay.record()), stay.recordedAt());
            });
        }

        private static boolean isPast(IdType id) {
            return id.getIdPart() != null && id.getIdPart().startsWith(FhirMapping.PAST_ENCOUNTER_PREFIX);
        }

        /** An encounter imported as history: never changed here, so its one version is 1. */
        private Encounter past(IdType id, HttpServletRequest request) {
            IdType past = new IdType("Encounter", id.getIdPart().substring(FhirMapping.PAST_ENCOUNTER_PREFIX.length()));
            return calls.as(request, actor -> {
                Encounter r = FhirMapping.encounter(history.read(actor, FhirCalls.id(past)));
                r.getMeta().setVersionId("1");
                return r;
            });
        }

        /** A stay's versions: admission, transfers, discharge; an imported encounter's one version. */
        @History
        public List<Encounter> versions(@IdParam IdType id, HttpServletRequest request) {
            if (isPast(id)) {
                return List.of(past(id, request));
            }
            return calls.as(request, actor -> stays.history(actor, FhirCalls.id(id)).stream().map(v -> {
                Encounter r = FhirMapping.encounter(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(java.util.Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /**
         * Admits a patient (front desk, physician or nurse): class IMP (a ward) or EMER (the emergency unit), the unit
         * as {@code location} (Location/&lt;unit id&gt;), the attending physician as participant, the reason as reasonCode text.
         */
        @Create
        public MethodOutcome create(@ResourceParam Encounter r, HttpServletRequest request) {
            long patient = subject(r.getSubject());
            String cls = r.getClass_().getCode();
            org.dossier.care.StayKind kind = "EMER".equals(cls) ? org.dossier.care.StayKind.EMERGENCY : "IMP".equals(cls)
                    ? org.dossier.care.StayKind.INPATIENT : null;
            if (kind == null) {
                throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                        "class: IMP (an inpatient stay) or EMER (an emergency visit); outpatient visits are Appointments");
            }
            var unitRef = r.getLocationFirstRep().getLocation().getReferenceElement();
            Integer unit = "Location".equals(unitRef.getResourceType()) && unitRef.isIdPartValidLong() ? unitRef.getIdPartAsLong().intValue() : null;
            var attendingRef = r.getParticipantFirstRep().getIndividual().getReferenceElement();
            Long attending = "Practitioner".equals(attendingRef.getResourceType()) && attendingRef.isIdPartValidLong()
                    ? attendingRef.getIdPartAsLong() : null;
            java.time.Instant at = r.getPeriod().hasStart() ? r.getPeriod().getStart().toInstant() : null;
            String reason = r.hasReasonCode() ? r.getReasonCodeFirstRep().hasText() ? r.getReasonCodeFirstRep().getText()
                    : r.getReasonCodeFirstRep().getCodingFirstRep().getDisplay() : null;
            var admission = new StayService.Admission(patient, kind, unit, null, attending, at, reason);
            return calls.as(request, actor -> created(FhirMapping.encounter(stays.admit(actor, admission))));
        }

        /**
         * The patient's stays here, then the encounters imported as history, latest first; by {@code date} (the period,
         * with its prefixes: an encounter still going on reaches into the future), {@code status} and {@code class}.
         */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = Encounter.SP_PATIENT) ReferenceParam patient,
                                             @OptionalParam(name = Encounter.SP_DATE) DateAndListParam date,
                                             @OptionalParam(name = Encounter.SP_STATUS) TokenAndListParam status,
                                             @OptionalParam(name = Encounter.SP_CLASS) TokenAndListParam cls,
                                             @IncludeParam Set<Include> include, @IncludeParam(reverse = true) Set<Include> revinclude,
                                             RequestDetails details, HttpServletRequest request) {
            long id = patientOf(patient);
            FhirSearch.check(status, cls);
            return calls.as(request, actor -> {
                var records = includes.records(actor, id, include, revinclude, access -> List.of(stays.encounters(access)),
                        () -> List.of(stays.encounters(actor, id)));
                StayService.Encounters found = records.records().get(0);
                List<Encounter> all = new java.util.ArrayList<>(found.stays().stream().map(FhirMapping::encounter).toList());
                all.addAll(found.history().stream().map(FhirMapping::encounter).toList());
                return includes.with(records, "Encounter", all.stream()
                        .filter(e -> FhirSearch.matches(date, FhirSearch.Span.of(e.getPeriod())))
                        .filter(e -> FhirSearch.matches(status, List.of(FhirSearch.code(e.hasStatus() ? e.getStatus().getSystem() : null,
                                e.hasStatus() ? e.getStatus().toCode() : null))))
                        .filter(e -> FhirSearch.matches(cls, List.of(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(e.getClass_()))))
                        .toList(), include, revinclude, details);
            });
        }
    }
}
