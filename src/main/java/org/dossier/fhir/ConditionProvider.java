package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.Problem;
import org.dossier.clinical.ProblemService;
import org.dossier.platform.Imported;
import org.dossier.platform.VersionLog;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * Condition: a patient's problems through the problem service (read, vread, history, create, update, search by
 * patient), and their mapping.
 */
@Component
class ConditionProvider extends VersionedProvider<Condition, Problem> {
    private final ProblemService problems;
    private final CompartmentIncludes includes;

    ConditionProvider(ProblemService problems, CompartmentIncludes includes) {
        super(Condition.class, ConditionProvider::condition,
                (actor, id) -> new VersionLog.Dated<>(problems.read(actor, id), null), problems::history);
        this.problems = problems;
        this.includes = includes;
    }

    /** Records a diagnosis (physician caring for the patient); the code must be ICD-10, as in the rest of the record. */
    @Create
    public MethodOutcome create(@ResourceParam Condition r, HttpServletRequest request) {
        return created(PatientReference.subject(r.getSubject()), input(r), request, problems::record);
    }

    /** Changes a diagnosis (If-Match the version changed, X-Dossier-Change-Reason why); ICD-10, as a diagnosis made here. */
    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Condition r, HttpServletRequest request) {
        return updated(id, FhirIds.expectedVersion(id), input(r), request, problems::change);
    }

    private static ProblemService.ProblemInput input(Condition r) {
        String icd10 = r.getCode().getCoding().stream().filter(c -> FhirCodes.ICD10.equals(c.getSystem())).map(c -> c.getCode())
                .findFirst().orElseThrow(() -> new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                        "code: an ICD-10 coding (system " + FhirCodes.ICD10 + ") is required"));
        String label = r.getCode().hasText() ? r.getCode().getText() : r.getCode().getCodingFirstRep().getDisplay();
        java.time.LocalDate onset = r.hasOnsetDateTimeType() ? FhirCodes.day(r.getOnsetDateTimeType().getValueAsString()) : null;
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
        return compartment(includes, patient, include, revinclude, details, request, access -> problems.ofPatient(access, false),
                (actor, id) -> problems.ofPatient(actor, id, false),
                c -> FhirSearch.matches(clinicalStatus, List.of(c.getClinicalStatus()))
                        && FhirSearch.matches(category, c.getCategory())
                        && FhirSearch.matches(onset, c.hasOnset() ? FhirSearch.Span.of(c.getOnset()) : null)
                        && FhirSearch.matches(lastUpdated, FhirSearch.Span.of(c.getMeta().getLastUpdatedElement())));
    }

    static Condition condition(Problem p) {
        Condition r = Versions.identified(new Condition(), p.id(), p.version(), p.updatedAt());
        r.setSubject(new Reference("Patient/" + p.patientId()));
        Imported source = p.source();
        ImportOrigins.mark(r, source);
        if (source != null && !source.categories().isEmpty()) {
            source.categories().forEach(c -> r.addCategory(FhirCodes.concept(c)));
        } else {
            r.addCategory(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item"));
        }
        statuses(r, p, source);
        r.setCode(code(p, source));
        if (source != null) {
            asSent(r, source);
        } else {
            if (p.onsetDate() != null) {
                r.setOnset(new DateTimeType(p.onsetDate().toString()));
            }
            r.setRecorder(new Reference("Practitioner/" + p.recordedBy()));
        }
        return r;
    }

    /** Clinical and verification status: as the source sent them, else from the problem's own status. */
    private static void statuses(Condition r, Problem p, Imported source) {
        if (source != null) {
            if (source.status() != null) {
                r.setClinicalStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/condition-clinical", source.status(), null));
            }
            if (source.verification() != null) {
                r.setVerificationStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", source.verification(), null));
            }
        } else if (p.status() == Problem.Status.ENTERED_IN_ERROR) {
            r.setVerificationStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error", "Entered in Error"));
        } else {
            r.setClinicalStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/condition-clinical",
                    p.status() == Problem.Status.ACTIVE ? "active" : "resolved", null));
            r.setVerificationStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"));
        }
    }

    /** The source's codes, with the problem's own code (ICD-10 or SNOMED CT) first when the source did not send it. */
    private static CodeableConcept code(Problem p, Imported source) {
        CodeableConcept code = FhirCodes.codeable(source, p.label());
        String system = org.dossier.clinical.Problem.SNOMED_CT.equals(p.codeSystem()) ? FhirCodes.SNOMED : FhirCodes.ICD10;
        if (code.getCoding().stream().noneMatch(c -> system.equals(c.getSystem()) && p.icd10Code().equals(c.getCode()))) {
            code.getCoding().add(0, new Coding(system, p.icd10Code(), p.label()));
        }
        return code;
    }

    /** Onset, abatement, recorded date and recorder of a condition another system sent, as it sent them. */
    private static void asSent(Condition r, Imported source) {
        if (source.start() != null) {
            r.setOnset(new DateTimeType(source.start()));
        }
        if (source.end() != null) {
            r.setAbatement(new DateTimeType(source.end()));
        }
        if (source.recorded() != null) {
            r.setRecordedDateElement(new DateTimeType(source.recorded()));
        }
        if (source.party() != null) {
            r.setRecorder(FhirCodes.party(source.party()));
        }
    }
}
