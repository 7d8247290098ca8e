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
import org.dossier.clinical.Allergy;
import org.dossier.clinical.AllergyService;
import org.dossier.platform.Imported;
import org.dossier.platform.VersionLog;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/**
 * AllergyIntolerance: a patient's allergies through the allergy service (read, vread, history, create, update, search
 * by patient), and their mapping.
 */
@Component
class AllergyIntoleranceProvider extends VersionedProvider<AllergyIntolerance, Allergy> {
    private final AllergyService allergies;
    private final CompartmentIncludes includes;

    AllergyIntoleranceProvider(AllergyService allergies, CompartmentIncludes includes) {
        super(AllergyIntolerance.class, AllergyIntoleranceProvider::allergy,
                (actor, id) -> new VersionLog.Dated<>(allergies.read(actor, id), null), allergies::history);
        this.allergies = allergies;
        this.includes = includes;
    }

    /** Records an allergy (physician or nurse caring for the patient): substance (text, ATC when coded), reaction, severity. */
    @Create
    public MethodOutcome create(@ResourceParam AllergyIntolerance r, HttpServletRequest request) {
        return created(PatientReference.subject(r.getPatient()), input(r), request, allergies::record);
    }

    /** Changes an allergy (If-Match the version changed, X-Dossier-Change-Reason why); the old version stays in its history. */
    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam AllergyIntolerance r, HttpServletRequest request) {
        return updated(id, FhirIds.expectedVersion(id), input(r), request, allergies::change);
    }

    private static AllergyService.AllergyInput input(AllergyIntolerance r) {
        String substance = r.getCode().hasText() ? r.getCode().getText() : r.getCode().getCodingFirstRep().getDisplay();
        String atc = r.getCode().getCoding().stream().filter(c -> FhirCodes.ATC.equals(c.getSystem())).map(c -> c.getCode())
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
        return compartment(includes, patient, include, revinclude, details, request, access -> allergies.ofPatient(access, false),
                (actor, id) -> allergies.ofPatient(actor, id, false),
                a -> FhirSearch.matches(clinicalStatus, List.of(a.getClinicalStatus()))
                        && FhirSearch.matches(lastUpdated, FhirSearch.Span.of(a.getMeta().getLastUpdatedElement())));
    }

    static AllergyIntolerance allergy(Allergy a) {
        AllergyIntolerance r = Versions.identified(new AllergyIntolerance(), a.id(), a.version(), a.updatedAt());
        r.setPatient(new Reference("Patient/" + a.patientId()));
        Imported source = a.source();
        ImportOrigins.mark(r, source);
        statuses(r, a, source);
        r.setType(a.kind() == Allergy.Kind.INTOLERANCE ? AllergyIntolerance.AllergyIntoleranceType.INTOLERANCE
                : AllergyIntolerance.AllergyIntoleranceType.ALLERGY);
        if (source != null) {
            asSent(r, source);
        } else {
            r.setCriticality(a.severity() == Allergy.Severity.SEVERE ? AllergyIntolerance.AllergyIntoleranceCriticality.HIGH
                    : AllergyIntolerance.AllergyIntoleranceCriticality.LOW);
        }
        r.setCode(substance(a, source));
        if (a.reaction() != null) {
            r.addReaction().addManifestation(new CodeableConcept().setText(a.reaction())).setSeverity(switch (a.severity()) {
                case MILD -> AllergyIntolerance.AllergyIntoleranceSeverity.MILD;
                case MODERATE -> AllergyIntolerance.AllergyIntoleranceSeverity.MODERATE;
                case SEVERE -> AllergyIntolerance.AllergyIntoleranceSeverity.SEVERE;
            });
        }
        if (source == null) {
            r.setRecorder(new Reference("Practitioner/" + a.recordedBy()));
        } else if (source.party() != null) {
            r.setRecorder(FhirCodes.party(source.party()));
        }
        return r;
    }

    /** The clinical and verification status: as the source sent them, else ours. */
    private static void statuses(AllergyIntolerance r, Allergy a, Imported source) {
        if (source != null) {
            // As the source sent it (the record has not changed since: a change here clears the source).
            if (source.status() != null) {
                r.setClinicalStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", source.status(), null));
            }
            if (source.verification() != null) {
                r.setVerificationStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", source.verification(), null));
            }
        } else if (a.status() == Allergy.Status.ENTERED_IN_ERROR) {
            r.setVerificationStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "entered-in-error",
                    "Entered in Error"));
        } else {
            String status = switch (a.status()) {
                case ACTIVE -> "active";
                case INACTIVE -> "inactive";
                default -> "resolved";
            };
            r.setClinicalStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", status, null));
            r.setVerificationStatus(FhirCodes.concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"));
        }
    }

    /** What only a record from another system says: its categories, criticality, and when it was recorded and began. */
    private static void asSent(AllergyIntolerance r, Imported source) {
        source.categories().forEach(c -> r.addCategory(AllergyIntolerance.AllergyIntoleranceCategory.fromCode(c.code())));
        if (source.criticality() != null) {
            r.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.fromCode(source.criticality()));
        }
        if (source.recorded() != null) {
            r.setRecordedDateElement(new DateTimeType(source.recorded()));
        }
        if (source.start() != null) {
            r.setOnset(new DateTimeType(source.start()));
        }
    }

    /** The substance: every coding the source sent, and the ATC code we know when it is a well-formed one. */
    private static CodeableConcept substance(Allergy a, Imported source) {
        CodeableConcept substance = FhirCodes.codeable(source, a.substance());
        if (a.substanceCode() != null && a.substanceCode().matches("[A-Z][0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?")
                && substance.getCoding().stream().noneMatch(c -> FhirCodes.ATC.equals(c.getSystem()))) {
            substance.addCoding().setSystem(FhirCodes.ATC).setCode(a.substanceCode());
        }
        return substance;
    }
}
