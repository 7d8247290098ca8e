package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.TokenParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.patient.PatientData;
import org.dossier.patient.PatientSearchQuery;
import org.dossier.patient.PatientService;
import org.dossier.organization.Actor;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Patient: read (the whole identity, coverage only for the roles that see it) and the bounded search of the
 * REST API (a family name of 3+ letters — by its start, {@code :exact} or {@code :contains} — with a birth date — or a range of a year at most — or given name, or an exact IPP or INS; 20 results at
 * most, each a SUBSETTED summary and one audit entry).
 */
@Component
class PatientProvider extends TypedProvider<Patient> {

    private final PatientService patients;
    private final PatientEverything everything;

    PatientProvider(PatientService patients, PatientEverything everything) {
        super(Patient.class);
        this.patients = patients;
        this.everything = everything;
    }

    /** Read, and vread: every change of identity is a version we keep whole. */
    @Read(version = true)
    public Patient read(@IdParam IdType id, HttpServletRequest request) {
        Actor actor = FhirActor.current(request);
        org.dossier.patient.Patient current = patients.read(actor, FhirIds.id(id));
        if (!id.hasVersionIdPart()) {
            return PatientMapping.patient(current);
        }
        try {
            return Versions.version(versions(actor, current), id);
        } catch (Versions.NotKept e) {
            // Asked within the call, a version the patient never had is refused (and audited) as an unknown id is.
            throw new ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException(e.getMessage());
        }
    }

    /**
     * {@code Patient/{id}/$everything}: the patient and everything of theirs the caller's roles and relationship let
     * them see, in one searchset Bundle paged like any search ({@code _count}, next links served to the caller alone).
     * One gateway decision, audited and charged as opening the chart; a clinician with no relationship is refused (403).
     */
    @Operation(name = "$everything", idempotent = true, bundleType = BundleTypeEnum.SEARCHSET)
    public IBundleProvider everything(@IdParam IdType id, HttpServletRequest request) {
        long patientId = FhirIds.id(id);
        Actor actor = FhirActor.current(request);
        return new SimpleBundleProvider(everything.of(actor, patientId));
    }

    @History
    public List<Patient> history(@IdParam IdType id, HttpServletRequest request) {
        Actor actor = FhirActor.current(request);
        return versions(actor, patients.read(actor, FhirIds.id(id)));
    }

    /**
     * Changes a patient's identity (front desk, or a clinician caring for the patient): names, gender, birth date,
     * addresses, phones and e-mails as sent; what FHIR does not carry here (identity status, INS, coverage, contacts,
     * preferred physician) is kept as it is. The version to change is required ({@code If-Match: W/"<version>"}), and
     * the reason ({@code X-Dossier-Change-Reason}), which the record's history keeps.
     * <p>
     * A conditional update ({@code PUT Patient?identifier=...}) finds the patient with the criteria of a conditional
     * create, through the gateway like any search: one match is updated (If-Match still required: a client that never
     * read the record cannot overwrite it), several answer 412, none registers the patient as a create would.
     */
    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Patient resource, @ConditionalUrlParam String conditional,
                                HttpServletRequest request) {
        IdType target = id;
        if (conditional != null) {
            List<Patient> found = matching(conditional, "Conditional update", request);
            if (found.isEmpty()) {
                return register(resource, false, request);
            }
            if (found.size() > 1) {
                throw new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException("Conditional update: " + found.size()
                        + " patients match these criteria, so none was changed; make them precise (an identifier)");
            }
            target = new IdType("Patient", found.get(0).getIdElement().getIdPart(), ifMatch(request));
        }
        int expected = FhirIds.expectedVersion(target);
        String reason = FhirIds.changeReason(request);
        long patient = FhirIds.id(target);
        Actor actor = FhirActor.current(request);
        org.dossier.patient.Patient current = patients.read(actor, patient);
        PatientData sent = PatientMapping.patientData(resource);
        PatientData was = current.data();
        PatientData merged = new PatientData(sent.birthFamilyName(), sent.usedName(), sent.givenNames(), sent.birthDate(), sent.sex(),
                was.birthplaceCode(), was.insMatricule(), was.insOid(), was.identityStatus(), sent.addresses(), sent.phones(),
                sent.emails(), was.contacts(), was.preferredPhysician(), was.coverage());
        return Outcomes.updated(PatientMapping.patient(patients.update(actor, current.id(), expected, merged, reason)));
    }

    /** The version an {@code If-Match: W/"<version>"} header names, or null. */
    private static String ifMatch(HttpServletRequest request) {
        String header = request.getHeader(ca.uhn.fhir.rest.api.Constants.HEADER_IF_MATCH);
        if (header == null) {
            return null;
        }
        String version = header.trim().replaceFirst("^W/", "").replace("\"", "");
        return version.isEmpty() ? null : version;
    }

    private List<Patient> versions(org.dossier.organization.Actor actor, org.dossier.patient.Patient current) {
        return patients.history(actor, current.id()).stream()
                .map(v -> PatientMapping.patient(new org.dossier.patient.Patient(current.id(), current.facilityId(), current.ipp(), v.version(),
                        v.status(), v.mergedInto(), v.data(), current.createdAt(), v.recordedAt())))
                .toList();
    }

    /**
     * Registers a patient (front desk): official name, gender, birth date, INS, addresses, phones and e-mails are
     * taken; the identity is PROVISIONAL until checked. Possible duplicates answer 409 with the candidates; send
     * {@code X-Dossier-Duplicates-Reviewed: true} once they were checked. The facility is the caller's (or the
     * managing organization's, for staff of several facilities).
     */
    @Create
    public MethodOutcome create(@ResourceParam Patient resource, @ConditionalUrlParam String ifNoneExist, HttpServletRequest request) {
        boolean reviewed = "true".equalsIgnoreCase(request.getHeader("X-Dossier-Duplicates-Reviewed"));
        if (ifNoneExist != null) {
            MethodOutcome existing = existing(ifNoneExist, request);
            if (existing != null) {
                return existing;
            }
        }
        return register(resource, reviewed, request);
    }

    private MethodOutcome register(Patient resource, boolean reviewed, HttpServletRequest request) {
        Actor actor = FhirActor.current(request);
        int facility;
        if (resource.hasManagingOrganization() && resource.getManagingOrganization().getReferenceElement().isIdPartValidLong()) {
            facility = resource.getManagingOrganization().getReferenceElement().getIdPartAsLong().intValue();
        } else if (actor.facilityIds().size() == 1) {
            facility = actor.facilityIds().iterator().next();
        } else {
            throw new InvalidRequestException("you work in several facilities: set managingOrganization to Organization/<facility id>");
        }
        return Outcomes.created(PatientMapping.patient(patients.register(actor, facility, PatientMapping.patientData(resource), reviewed)));
    }

    /**
     * Conditional create ({@code If-None-Exist}): the criteria are a search of this server's (an exact IPP or INS
     * {@code identifier}, or a family name with a birth date or given name), run through the gateway as any search. One
     * match: 200 with that patient, nothing created; several: 412; none: null, and the patient is registered.
     */
    private MethodOutcome existing(String criteria, HttpServletRequest request) {
        List<Patient> found = matching(criteria, "If-None-Exist", request);
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            throw new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException("If-None-Exist: " + found.size()
                    + " patients match these criteria, so none was created; make them precise (an identifier)");
        }
        IdType id = new IdType("Patient", found.get(0).getIdElement().getIdPart());
        Patient current = read(id, request);
        MethodOutcome outcome = new MethodOutcome(current.getIdElement().withResourceType("Patient").withVersion(current.getMeta().getVersionId()), false);
        outcome.setResource(current);
        return outcome;
    }

    /**
     * The patients conditional criteria match: a search of this server's (an exact IPP or INS {@code identifier}, or a
     * family name with a birth date or given name), run through the gateway as any search. A criterion this server
     * cannot apply is refused: ignored, it would match more than asked for and answer with the wrong patient.
     */
    private List<Patient> matching(String criteria, String what, HttpServletRequest request) {
        String query = criteria.contains("?") ? criteria.substring(criteria.indexOf('?') + 1) : criteria;
        java.util.Map<String, String[]> params = ca.uhn.fhir.util.UrlUtil.parseQueryString(query);
        java.util.Set<String> supported = java.util.Set.of(Patient.SP_IDENTIFIER, Patient.SP_FAMILY, Patient.SP_NAME, Patient.SP_GIVEN,
                Patient.SP_BIRTHDATE, Patient.SP_GENDER);
        java.util.List<String> unsupported = params.keySet().stream().filter(k -> !supported.contains(k)).sorted().toList();
        if (params.isEmpty() || !unsupported.isEmpty()) {
            // A criterion not applied would match more than asked for, and answer with the wrong patient.
            throw new InvalidRequestException(what + ": criteria are Patient search parameters " + new java.util.TreeSet<>(supported)
                    + (unsupported.isEmpty() ? "" : "; not supported: " + unsupported));
        }
        StringParam family = string(params, Patient.SP_FAMILY);
        StringParam name = string(params, Patient.SP_NAME);
        StringParam given = string(params, Patient.SP_GIVEN);
        DateAndListParam birthDate = null;
        if (params.containsKey(Patient.SP_BIRTHDATE)) {
            birthDate = new DateAndListParam();
            for (String value : params.get(Patient.SP_BIRTHDATE)) {
                birthDate.addAnd(new ca.uhn.fhir.rest.param.DateOrListParam().addOr(new ca.uhn.fhir.rest.param.DateParam(value)));
            }
        }
        TokenParam identifier = null;
        if (params.containsKey(Patient.SP_IDENTIFIER)) {
            String value = params.get(Patient.SP_IDENTIFIER)[0];
            int bar = value.indexOf('|');
            identifier = bar < 0 ? new TokenParam(value) : new TokenParam(value.substring(0, bar), value.substring(bar + 1));
        }
        TokenParam gender = params.containsKey(Patient.SP_GENDER) ? new TokenParam(params.get(Patient.SP_GENDER)[0]) : null;
        return search(family, name, given, birthDate, identifier, gender, request);
    }

    /** {@code :exact} and {@code :contains} of a name parameter; without a modifier a name matches by its start. */
    private static PatientSearchQuery.Match match(StringParam param) {
        return param == null ? PatientSearchQuery.Match.PREFIX : param.isExact() ? PatientSearchQuery.Match.EXACT
                : param.isContains() ? PatientSearchQuery.Match.CONTAINS : PatientSearchQuery.Match.PREFIX;
    }

    private static StringParam string(java.util.Map<String, String[]> params, String name) {
        return params.containsKey(name) ? new StringParam(params.get(name)[0]) : null;
    }

    @Search
    public List<Patient> search(@OptionalParam(name = Patient.SP_FAMILY) StringParam family,
                                @OptionalParam(name = Patient.SP_NAME) StringParam name,
                                @OptionalParam(name = Patient.SP_GIVEN) StringParam given,
                                @OptionalParam(name = Patient.SP_BIRTHDATE) DateAndListParam birthDate,
                                @OptionalParam(name = Patient.SP_IDENTIFIER) TokenParam identifier,
                                @OptionalParam(name = Patient.SP_GENDER) TokenParam gender,
                                HttpServletRequest request) {
        org.dossier.patient.Sex sex = gender == null ? null : switch (gender.getValue()) {
            case "male" -> org.dossier.patient.Sex.M;
            case "female" -> org.dossier.patient.Sex.F;
            case "other", "unknown" -> org.dossier.patient.Sex.U;
            default -> throw new InvalidRequestException("gender: male, female, other or unknown");
        };
        String ipp = null;
        String ins = null;
        if (identifier != null) {
            String system = identifier.getSystem() == null ? "" : identifier.getSystem();
            if (system.startsWith(FhirCodes.IPP_SYSTEM) || system.isEmpty() && identifier.getValue().length() < 15) {
                ipp = identifier.getValue();
            } else {
                ins = identifier.getValue();
            }
        }
        String familyName = family != null ? family.getValue() : name == null ? null : name.getValue();
        FhirSearch.Days born = FhirSearch.days(birthDate);
        StringParam familyParam = family != null ? family : name;
        PatientSearchQuery.Match familyMatch = match(familyParam);
        PatientSearchQuery.Match givenMatch = match(given);
        PatientSearchQuery query = born == null
                ? new PatientSearchQuery(familyName, given == null ? null : given.getValue(), null, ins, ipp, null, sex,
                        null, null, null, null, familyMatch, givenMatch)
                : new PatientSearchQuery(familyName, given == null ? null : given.getValue(), born.exact(), ins, ipp, null, sex,
                        born.exact() == null ? born.from() : null, born.exact() == null ? born.to() : null, born.notFrom(), born.notTo(),
                        familyMatch, givenMatch);
        Actor actor = FhirActor.current(request);
        return patients.search(actor, query).results().stream().map(PatientMapping::searchResult).toList();
    }
}
