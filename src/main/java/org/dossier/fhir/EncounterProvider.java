package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.care.Stay;
import org.dossier.care.StayKind;
import org.dossier.care.StayService;
import org.dossier.organization.Actor;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Encounter: stays here (read, vread, history, admission) and encounters imported as history, searched by patient,
 * and their mapping.
 */
@Component
class EncounterProvider extends TypedProvider<Encounter> {
    private final StayService stays;
    private final org.dossier.care.EncounterHistoryService history;
    private final CompartmentIncludes includes;

    EncounterProvider(StayService stays, org.dossier.care.EncounterHistoryService history, CompartmentIncludes includes) {
        super(Encounter.class);
        this.stays = stays;
        this.history = history;
        this.includes = includes;
    }

    /** A stay here (a number, with vread), or an encounter imported as history ("h" and a number). */
    @Read(version = true)
    public Encounter read(@IdParam IdType id, HttpServletRequest request) {
        String part = id.getIdPart();
        if (isPast(id)) {
            return id.hasVersionIdPart() ? Versions.version(versions(id, request), id) : past(id, request);
        }
        if (id.hasVersionIdPart()) {
            return Versions.version(versions(id, request), id);
        }
        Actor actor = FhirActor.current(request);
        var stay = stays.readDated(actor, FhirIds.id(id));
        return Versions.changedAt(encounter(stay.record()), stay.recordedAt());
    }

    private static boolean isPast(IdType id) {
        return id.getIdPart() != null && id.getIdPart().startsWith(FhirCodes.PAST_ENCOUNTER_PREFIX);
    }

    /** An encounter imported as history: never changed here, so its one version is 1. */
    private Encounter past(IdType id, HttpServletRequest request) {
        IdType past = new IdType("Encounter", id.getIdPart().substring(FhirCodes.PAST_ENCOUNTER_PREFIX.length()));
        Actor actor = FhirActor.current(request);
        Encounter r = encounter(history.read(actor, FhirIds.id(past)));
        r.getMeta().setVersionId("1");
        return r;
    }

    /** A stay's versions: admission, transfers, discharge; an imported encounter's one version. */
    @History
    public List<Encounter> versions(@IdParam IdType id, HttpServletRequest request) {
        if (isPast(id)) {
            return List.of(past(id, request));
        }
        Actor actor = FhirActor.current(request);
        return stays.history(actor, FhirIds.id(id)).stream()
                .map(v -> Versions.versioned(encounter(v.record()), v.version(), v.recordedAt())).toList();
    }

    /**
     * Admits a patient (front desk, physician or nurse): class IMP (a ward) or EMER (the emergency unit), the unit
     * as {@code location} (Location/&lt;unit id&gt;), the attending physician as participant, the reason as reasonCode text.
     */
    @Create
    public MethodOutcome create(@ResourceParam Encounter r, HttpServletRequest request) {
        long patient = PatientReference.subject(r.getSubject());
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
        Actor actor = FhirActor.current(request);
        return Outcomes.created(encounter(stays.admit(actor, admission)));
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
        long id = PatientReference.patientOf(patient);
        FhirSearch.check(status, cls);
        Actor actor = FhirActor.current(request);
        var records = includes.records(actor, id, include, revinclude, access -> List.of(stays.encounters(access)),
                () -> List.of(stays.encounters(actor, id)));
        StayService.Encounters found = records.records().get(0);
        List<Encounter> all = new java.util.ArrayList<>(found.stays().stream().map(EncounterProvider::encounter).toList());
        all.addAll(found.history().stream().map(EncounterProvider::encounter).toList());
        return includes.with(records, "Encounter", all.stream()
                .filter(e -> FhirSearch.matches(date, FhirSearch.Span.of(e.getPeriod())))
                .filter(e -> FhirSearch.matches(status, List.of(FhirSearch.code(e.hasStatus() ? e.getStatus().getSystem() : null,
                        e.hasStatus() ? e.getStatus().toCode() : null))))
                .filter(e -> FhirSearch.matches(cls, List.of(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(e.getClass_()))))
                .toList(), include, revinclude, details);
    }

    static Encounter encounter(Stay s) {
        Encounter r = Versions.identified(new Encounter(), s.id(), s.version());
        r.setStatus(switch (s.status()) {
            case ACTIVE -> Encounter.EncounterStatus.INPROGRESS;
            case DISCHARGED -> Encounter.EncounterStatus.FINISHED;
            case CANCELLED -> Encounter.EncounterStatus.ENTEREDINERROR;
        });
        r.setClass_(s.kind() == StayKind.EMERGENCY ? new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER", "emergency")
                : new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient encounter"));
        r.setSubject(new Reference("Patient/" + s.patientId()));
        Period period = new Period().setStart(Date.from(s.admittedAt()));
        if (s.dischargedAt() != null) {
            period.setEnd(Date.from(s.dischargedAt()));
        }
        r.setPeriod(period);
        r.addParticipant().setIndividual(new Reference("Practitioner/" + s.attendingId()));
        if (s.admissionReason() != null) {
            r.addReasonCode().setText(s.admissionReason());
        }
        return r;
    }

    /** An encounter imported as history: finished, with what the source said of who and where. */
    static Encounter encounter(org.dossier.care.PastEncounter e) {
        Encounter r = new Encounter();
        r.setId(FhirCodes.PAST_ENCOUNTER_PREFIX + e.id());
        ImportOrigins.mark(r, e);
        r.setStatus(e.endAt() == null ? Encounter.EncounterStatus.UNKNOWN : Encounter.EncounterStatus.FINISHED);
        r.setClass_(new Coding(FhirCodes.ACT_CODE, e.encounterClass(), null));
        CodeableConcept type = r.addType().setText(e.type());
        if (e.typeCode() != null) {
            type.addCoding(new Coding(FhirCodes.SNOMED, e.typeCode(), e.type()));
        }
        r.setSubject(new Reference("Patient/" + e.patientId()));
        Period period = new Period().setStart(Date.from(e.startAt()));
        if (e.endAt() != null) {
            period.setEnd(Date.from(e.endAt()));
        }
        r.setPeriod(period);
        if (e.practitioner() != null) {
            r.addParticipant().setIndividual(new Reference().setDisplay(e.practitioner()));
        }
        if (e.organization() != null) {
            r.setServiceProvider(new Reference().setDisplay(e.organization()));
        }
        if (e.reason() != null) {
            r.addReasonCode().setText(e.reason());
        }
        return r;
    }
}
