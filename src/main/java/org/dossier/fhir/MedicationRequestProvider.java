package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.Allergy;
import org.dossier.platform.Imported;
import org.dossier.prescribing.MedicationOrder;
import org.dossier.prescribing.PrescriptionService;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * MedicationRequest: prescriptions through the prescription service (read, vread, history, create, search by
 * patient), and their mapping.
 */
@Component
class MedicationRequestProvider extends VersionedProvider<MedicationRequest, MedicationOrder> {
    private final PrescriptionService prescriptions;
    private final CompartmentIncludes includes;

    MedicationRequestProvider(PrescriptionService prescriptions, CompartmentIncludes includes) {
        super(MedicationRequest.class, MedicationRequestProvider::medicationRequest,
                prescriptions::readDated, prescriptions::history);
        this.prescriptions = prescriptions;
        this.includes = includes;
    }

    /**
     * Prescribes (physician caring for the patient): the drug as text with its ATC coding when known, the first
     * dosage instruction's dose (doseAndRate.doseQuantity, or text), route (ORAL, IV, …), frequency (timing, or
     * text) and duration (dispenseRequest.expectedSupplyDuration in days). Against an active allergy the answer is
     * 409 until the reason to go on is sent in {@code X-Dossier-Allergy-Override}.
     */
    @Create
    public MethodOutcome create(@ResourceParam MedicationRequest r, HttpServletRequest request) {
        long patient = PatientReference.subject(r.getSubject());
        if (!r.hasMedicationCodeableConcept()) {
            throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("medicationCodeableConcept is required");
        }
        var drug = r.getMedicationCodeableConcept();
        String name = drug.hasText() ? drug.getText() : drug.getCodingFirstRep().getDisplay();
        String atc = drug.getCoding().stream().filter(c -> FhirCodes.ATC.equals(c.getSystem())).map(c -> c.getCode()).findFirst().orElse(null);
        var dosage = r.getDosageInstructionFirstRep();
        String dose = FhirCodes.dose(dosage);
        String route = dosage.hasRoute() ? dosage.getRoute().hasText() ? dosage.getRoute().getText() : dosage.getRoute().getCodingFirstRep().getCode() : null;
        String frequency = FhirCodes.frequency(dosage);
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
                ? FhirCodes.day(r.getDispenseRequest().getValidityPeriod().getStartElement().getValueAsString()) : null;
        var stayRef = r.getEncounter().getReferenceElement();
        Long stay = stayRef.isIdPartValidLong() ? stayRef.getIdPartAsLong() : null;
        var input = new PrescriptionService.OrderInput(name, atc, null, dose, route, frequency, days, start, stay,
                request.getHeader("X-Dossier-Allergy-Override"));
        return created(patient, input, request, prescriptions::prescribe);
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
        return compartment(includes, patient, include, revinclude, details, request,
                access -> prescriptions.ofPatient(access, false), (actor, id) -> prescriptions.ofPatient(actor, id, false),
                m -> FhirSearch.matches(status, List.of(FhirSearch.code(m.hasStatus() ? m.getStatus().getSystem() : null,
                        m.hasStatus() ? m.getStatus().toCode() : null)))
                        && FhirSearch.matches(intent, List.of(FhirSearch.code(m.hasIntent() ? m.getIntent().getSystem() : null,
                        m.hasIntent() ? m.getIntent().toCode() : null)))
                        && FhirSearch.matches(authoredOn, m.hasAuthoredOn() ? FhirSearch.Span.of(m.getAuthoredOnElement()) : null));
    }

    static MedicationRequest medicationRequest(MedicationOrder o) {
        MedicationRequest r = Versions.identified(new MedicationRequest(), o.id(), o.version());
        r.setStatus(status(o.status()));
        Imported source = o.source();
        ImportOrigins.mark(r, source);
        r.setIntent(source != null && source.intent() != null ? MedicationRequest.MedicationRequestIntent.fromCode(source.intent())
                : MedicationRequest.MedicationRequestIntent.ORDER);
        if (source != null) {
            source.categories().forEach(c -> r.addCategory(FhirCodes.concept(c)));
        }
        CodeableConcept drug = FhirCodes.codeable(source, o.drug());
        if (o.atcCode() != null && drug.getCoding().stream().noneMatch(c -> FhirCodes.ATC.equals(c.getSystem()))) {
            drug.addCoding().setSystem(FhirCodes.ATC).setCode(o.atcCode());
        }
        r.setMedication(drug);
        r.setSubject(new Reference("Patient/" + o.patientId()));
        if (o.stayId() != null) {
            r.setEncounter(new Reference("Encounter/" + o.stayId()));
        }
        r.setAuthoredOnElement(source != null && source.recorded() != null ? new DateTimeType(source.recorded())
                : new DateTimeType(Date.from(o.authoredAt()), TemporalPrecisionEnum.SECOND, java.util.TimeZone.getTimeZone("UTC")));
        if (source == null) {
            r.setRequester(new Reference("Practitioner/" + o.prescriberId()));
        } else if (source.party() != null) {
            // The source's prescriber, not the administrator who imported the order (who is accountable for the import).
            r.setRequester(FhirCodes.party(source.party()));
        }
        dosage(r, o);
        if (o.renewedFrom() != null) {
            r.setPriorPrescription(new Reference("MedicationRequest/" + o.renewedFrom()));
        }
        return r;
    }

    private static MedicationRequest.MedicationRequestStatus status(MedicationOrder.Status status) {
        return switch (status) {
            case ACTIVE -> MedicationRequest.MedicationRequestStatus.ACTIVE;
            case ON_HOLD -> MedicationRequest.MedicationRequestStatus.ONHOLD;
            case DRAFT -> MedicationRequest.MedicationRequestStatus.DRAFT;
            case STOPPED -> MedicationRequest.MedicationRequestStatus.STOPPED;
            case COMPLETED -> MedicationRequest.MedicationRequestStatus.COMPLETED;
            case CANCELLED -> MedicationRequest.MedicationRequestStatus.CANCELLED;
            case ENTERED_IN_ERROR -> MedicationRequest.MedicationRequestStatus.ENTEREDINERROR;
            case UNKNOWN -> MedicationRequest.MedicationRequestStatus.UNKNOWN;
        };
    }

    /** The dosage as one text (dose, route, frequency, days) and the dates the prescription is valid. */
    private static void dosage(MedicationRequest r, MedicationOrder o) {
        r.addDosageInstruction().setText(o.dose() + ", " + o.route() + ", " + o.frequency()
                + (o.durationDays() == null ? "" : ", " + o.durationDays() + " days"));
        if (o.startDate() != null) {
            Period validity = new Period().setStartElement(new DateTimeType(o.startDate().toString()));
            if (o.endDate() != null) {
                validity.setEndElement(new DateTimeType(o.endDate().toString()));
            }
            r.getDispenseRequest().setValidityPeriod(validity);
        }
    }
}
