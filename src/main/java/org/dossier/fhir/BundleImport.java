package org.dossier.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.dossier.access.Imports;
import org.dossier.access.ImportRun;
import org.dossier.care.EncounterHistoryService;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.ImmunizationService;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.ObservationResult;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.Problem;
import org.dossier.clinical.ProblemService;
import org.dossier.clinical.ProcedureService;
import org.dossier.organization.Actor;
import org.dossier.organization.ExternalDirectory;
import org.dossier.organization.ExternalParty;
import org.dossier.patient.IdentityStatus;
import org.dossier.patient.PatientData;
import org.dossier.patient.PatientService;
import org.dossier.patient.Sex;
import org.dossier.platform.AccountFrozenException;
import org.dossier.platform.Imported;
import org.dossier.platform.InvalidInputException;
import org.dossier.audit.AuditUnavailableException;
import org.dossier.prescribing.MedicationOrder;
import org.dossier.prescribing.PrescriptionService;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Imports a transaction or batch Bundle from another system (Synthea's among them) through the modules' services and
 * the gateway's import run: patients are registered, their history recorded, and what Dossier does not model is
 * counted and reported in the response, never dropped silently. A transaction is all or nothing for what can go
 * wrong with the bundle itself (a patient that cannot be registered, a reference that does not resolve); an entry the
 * record refuses (a value outside a plausible range) is reported with its reason and the rest is kept.
 */
@Component
class BundleImport {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BundleImport.class);

    /** Resource types mapped into Dossier's record, in the order they are processed (what is referred to first). */
    private static final List<String> ORDER = List.of("Organization", "Location", "Practitioner", "Patient", "Encounter", "Medication",
            "AllergyIntolerance", "Condition", "MedicationRequest", "Observation", "Procedure", "Immunization",
            // Kept as sent (ADR 0026), after what they refer to: a report's results, a care plan's team; provenance last.
            "Device", "ImagingStudy", "MedicationAdministration", "SupplyDelivery", "DiagnosticReport", "DocumentReference", "CareTeam",
            "CarePlan", "Provenance");

    /**
     * Billing of another country's payers: a claim to, or an explanation of benefit from, an insurer that is not the
     * French Assurance Maladie or a complementary insurer Dossier bills. Not clinical history, and not something this
     * hospital can bill or be paid: reported as not applicable with that reason, never stored.
     */
    private static final Set<String> FOREIGN_BILLING = Set.of("Claim", "ExplanationOfBenefit");

    /** Why a type another system sends is not kept, where the reason is known: said in the entry's response. */
    private static final Map<String, String> NOT_MODELLED_WHY = Map.of(
            "PractitionerRole", "another organization's directory: the import keeps its practitioners by identifier and name, "
                    + "not their roles and specialties there");

    private final Imports gateway;
    private final PatientService patients;
    private final EncounterHistoryService encounters;
    private final AllergyService allergies;
    private final ProblemService problems;
    private final ObservationService observations;
    private final PrescriptionService prescriptions;
    private final ProcedureService procedures;
    private final ImmunizationService immunizations;
    private final ExternalDirectory directory;
    private final ReceivedImport received;
    private final TransactionTemplate all;
    private final TransactionTemplate each;

    BundleImport(Imports gateway, PatientService patients, EncounterHistoryService encounters, AllergyService allergies,
                 ProblemService problems, ObservationService observations, PrescriptionService prescriptions, ProcedureService procedures,
                 ImmunizationService immunizations, ExternalDirectory directory, ReceivedImport received,
                 PlatformTransactionManager transactions) {
        this.gateway = gateway;
        this.patients = patients;
        this.encounters = encounters;
        this.allergies = allergies;
        this.problems = problems;
        this.observations = observations;
        this.prescriptions = prescriptions;
        this.procedures = procedures;
        this.immunizations = immunizations;
        this.directory = directory;
        this.received = received;
        this.all = new TransactionTemplate(transactions);
        this.each = new TransactionTemplate(transactions);
        this.each.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /**
     * What an import did: per resource type, how many entries were stored, not modelled, not applicable here (a foreign
     * payer's billing), or refused.
     */
    record Report(Map<String, Integer> stored, Map<String, Integer> notModelled, Map<String, Integer> notApplicable,
                  Map<String, Integer> refused, int patients) {

        String summary() {
            return "patients=" + patients + "; stored " + total(stored) + " " + stored + "; not modelled " + total(notModelled) + " "
                    + notModelled + "; not applicable " + total(notApplicable) + " " + notApplicable + " (billing of a foreign payer)"
                    + "; refused " + total(refused) + " " + refused;
        }

        private static int total(Map<String, Integer> counts) {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    record Result(Bundle response, Report report) {
    }

    Result run(Actor actor, Bundle bundle, Integer facility, String source) {
        boolean transaction = bundle.getType() == Bundle.BundleType.TRANSACTION;
        if (!transaction && bundle.getType() != Bundle.BundleType.BATCH) {
            throw new InvalidRequestException("POST /fhir takes a Bundle of type transaction or batch, not " + bundle.getType());
        }
        if (!bundle.hasEntry()) {
            throw new UnprocessableEntityException("The bundle has no entries");
        }
        int facilityId = facilityOf(actor, facility);
        ImportRun run = gateway.begin(actor, facilityId, source);
        Work work = new Work(run, bundle, transaction);
        gateway.within(run, () -> transaction ? all.execute(status -> work.process()) : work.process());
        return new Result(work.response(), work.report());
    }

    private static int facilityOf(Actor actor, Integer facility) {
        if (facility != null) {
            return facility;
        }
        if (actor.facilityIds().size() != 1) {
            throw new InvalidRequestException("You work in several facilities: say which one the records are imported into with the header "
                    + "X-Dossier-Facility");
        }
        return actor.facilityIds().iterator().next();
    }

    /** One bundle's import: entries processed in dependency order, references resolved to what was stored. */
    private final class Work {
        private final ImportRun run;
        private final Actor actor;
        private final Bundle bundle;
        private final boolean transaction;
        private final Map<String, String> stored = new HashMap<>();
        private final Map<String, Long> patientIds = new HashMap<>();
        private final List<Long> registered = new ArrayList<>();
        private final Map<String, Resource> byFullUrl = new HashMap<>();
        private final Map<String, String> encounterLabels = new HashMap<>();
        private final Bundle.BundleEntryResponseComponent[] responses;
        private final List<Imports.Origin> origins = new ArrayList<>();
        private final Map<String, Integer> storedCounts = new TreeMap<>(), notModelled = new TreeMap<>(), notApplicable = new TreeMap<>(),
                refused = new TreeMap<>();

        Work(ImportRun run, Bundle bundle, boolean transaction) {
            this.run = run;
            this.actor = run.actor();
            this.bundle = bundle;
            this.transaction = transaction;
            this.responses = new Bundle.BundleEntryResponseComponent[bundle.getEntry().size()];
            for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
                if (e.hasFullUrl() && e.hasResource()) {
                    byFullUrl.put(e.getFullUrl(), e.getResource());
                }
            }
        }

        Object process() {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < bundle.getEntry().size(); i++) {
                order.add(i);
            }
            order.sort((a, b) -> Integer.compare(rank(a), rank(b)));
            for (int i : order) {
                Bundle.BundleEntryComponent entry = bundle.getEntry().get(i);
                Resource resource = entry.getResource();
                if (resource == null) {
                    fail(i, "400 Bad Request", "entry " + i + " has no resource", null);
                    continue;
                }
                String type = resource.fhirType();
                if (entry.hasRequest() && entry.getRequest().getMethod() != null
                        && entry.getRequest().getMethod() != Bundle.HTTPVerb.POST && entry.getRequest().getMethod() != Bundle.HTTPVerb.PUT) {
                    fail(i, "405 Method Not Allowed", "entry " + i + ": only POST and PUT entries are imported, not " + entry.getRequest().getMethod(), type);
                    continue;
                }
                if (FOREIGN_BILLING.contains(type)) {
                    count(notApplicable, type);
                    responses[i] = entryResponse("422 Unprocessable Entity", OperationOutcome.IssueSeverity.INFORMATION,
                            type + " not applicable: billing of a foreign payer (" + payer(resource) + "), which Dossier neither bills nor "
                                    + "is paid by (it bills the Assurance Maladie and complementary insurers); counted in the import report, not stored");
                    continue;
                }
                if (!ORDER.contains(type)) {
                    count(notModelled, type);
                    responses[i] = entryResponse("422 Unprocessable Entity", OperationOutcome.IssueSeverity.WARNING,
                            type + " is not modelled by Dossier" + (NOT_MODELLED_WHY.containsKey(type) ? " (" + NOT_MODELLED_WHY.get(type) + ")" : "")
                                    + ": counted in the import report, not stored");
                    continue;
                }
                importEntry(i, entry, resource, type);
            }
            gateway.remember(run, origins);
            return null;
        }

        private void importEntry(int i, Bundle.BundleEntryComponent entry, Resource resource, String type) {
            boolean directoryEntry = type.equals("Organization") || type.equals("Location") || type.equals("Practitioner");
            boolean essential = directoryEntry || type.equals("Patient");
            try {
                String location = (transaction && essential) ? store(entry, resource, type)
                        : each.execute(status -> store(entry, resource, type));
                if (location == null) {
                    responses[i] = new Bundle.BundleEntryResponseComponent().setStatus("200 OK");
                } else {
                    if (entry.hasFullUrl()) {
                        stored.put(entry.getFullUrl(), location);
                    }
                    origins.add(origin(entry, resource, location));
                    responses[i] = new Bundle.BundleEntryResponseComponent().setStatus("201 Created").setLocation(location);
                }
                count(storedCounts, type);
            } catch (NotModelled e) {
                count(notModelled, type);
                responses[i] = entryResponse("422 Unprocessable Entity", OperationOutcome.IssueSeverity.WARNING,
                        e.errors().get(0).message() + ": not modelled by Dossier, counted in the import report, not stored");
            } catch (InvalidInputException e) {
                if (transaction && essential) {
                    throw new UnprocessableEntityException(type + " (entry " + i + "): " + e.getMessage());
                }
                fail(i, "422 Unprocessable Entity", type + " refused by the record: " + e.getMessage(), type);
            } catch (AccountFrozenException | AuditUnavailableException e) {
                // The import stops here, batch or not: the account is frozen, or nothing more can be recorded.
                throw e;
            } catch (RuntimeException e) {
                BaseServerResponseException answer = FhirCalls.translate(e);
                if (transaction) {
                    throw answer == null ? e : answer;
                }
                if (answer == null) {
                    String incident = java.util.UUID.randomUUID().toString();
                    log.error("Unexpected error importing {} (entry {}), incident {}", type, i, incident, e);
                    fail(i, "500 Internal Server Error", type + ": unexpected error, incident " + incident, type);
                } else {
                    fail(i, answer.getStatusCode() + " " + statusText(answer.getStatusCode()), type + ": " + answer.getMessage(), type);
                }
            }
        }

        private String store(Bundle.BundleEntryComponent entry, Resource resource, String type) {
            String source = run.source();
            return switch (type) {
                case "Organization", "Location", "Practitioner" -> {
                    directoryEntry(entry, resource, source);
                    yield null;
                }
                case "Patient" -> registerPatient(entry, (Patient) resource, source);
                case "Encounter" -> pastEncounter(entry, (Encounter) resource, source);
                case "Medication" -> null; // read through the MedicationRequest that refers to it
                case "AllergyIntolerance" -> "AllergyIntolerance/" + allergy((AllergyIntolerance) resource).id();
                case "Condition" -> "Condition/" + condition((Condition) resource).id();
                case "MedicationRequest" -> "MedicationRequest/" + medication((MedicationRequest) resource).id();
                case "Observation" -> observation((Observation) resource);
                case "Procedure" -> procedure((org.hl7.fhir.r4.model.Procedure) resource);
                case "Immunization" -> immunization((org.hl7.fhir.r4.model.Immunization) resource);
                default -> {
                    if (!ReceivedImport.kept(type)) {
                        throw new IllegalStateException(type);
                    }
                    yield received.keep(actor, resource, stored, byFullUrl, this::patient);
                }
            };
        }

        /** An organization, a location or a practitioner: recorded in the directory of external parties, by its first identifier. */
        private void directoryEntry(Bundle.BundleEntryComponent entry, Resource resource, String source) {
            if (resource instanceof Organization o) {
                Identifier id = firstIdentifier(o.getIdentifier(), entry);
                directory.record(run.importer(), ExternalParty.Kind.ORGANIZATION, id.getSystem(), id.getValue(), o.getName(),
                        o.hasAddress() ? o.getAddressFirstRep().getCity() : null, source);
            } else if (resource instanceof Location l) {
                Identifier id = firstIdentifier(l.getIdentifier(), entry);
                directory.record(run.importer(), ExternalParty.Kind.LOCATION, id.getSystem(), id.getValue(), l.getName(),
                        l.hasAddress() ? l.getAddress().getCity() : null, source);
            } else if (resource instanceof Practitioner p) {
                Identifier id = firstIdentifier(p.getIdentifier(), entry);
                directory.record(run.importer(), ExternalParty.Kind.PRACTITIONER, id.getSystem(), id.getValue(),
                        displayName(p.getNameFirstRep()), null, source);
            }
        }

        /** A patient: registered here, known to the rest of the bundle by its fullUrl. */
        private String registerPatient(Bundle.BundleEntryComponent entry, Patient resource, String source) {
            // Registered whether or not someone here matches (the match waits for the front desk, unseen by the
            // importer); only a match among this import's own patients is refused.
            long id = patients.registerImported(actor, run.facilityId(), patientData(resource), Set.copyOf(registered),
                    source).id();
            registered.add(id);
            if (entry.hasFullUrl()) {
                patientIds.put(entry.getFullUrl(), id);
            }
            return "Patient/" + id;
        }

        /** An encounter of another system: kept as history, with an id of its own ("h" and a number). */
        private String pastEncounter(Bundle.BundleEntryComponent entry, Encounter e, String source) {
                if (!e.getPeriod().hasStart()) {
                throw new InvalidInputException("period.start", "an encounter needs its start");
            }
            String typeText = e.hasType() ? text(e.getTypeFirstRep()) : e.getClass_().getCode();
            String typeCode = e.hasType() ? code(e.getTypeFirstRep(), FhirCodes.SNOMED) : null;
            String practitioner = e.hasParticipant() ? party(e.getParticipantFirstRep().getIndividual(), ExternalParty.Kind.PRACTITIONER) : null;
            String organization = e.hasServiceProvider() ? party(e.getServiceProvider(), ExternalParty.Kind.ORGANIZATION) : null;
            String reason = e.hasReasonCode() ? text(e.getReasonCodeFirstRep()) : null;
            var past = encounters.record(actor, patient(e.getSubject()), new EncounterHistoryService.PastEncounterInput(
                    e.getClass_().getCode(), typeText, typeCode, reason, e.getPeriod().getStart().toInstant(),
                    e.getPeriod().hasEnd() ? e.getPeriod().getEnd().toInstant() : null, practitioner, organization, source));
            if (entry.hasFullUrl()) {
                encounterLabels.put(entry.getFullUrl(), typeText + (practitioner == null ? "" : ", " + practitioner));
            }
            return "Encounter/" + FhirCodes.PAST_ENCOUNTER_PREFIX + past.id();
        }

        private Allergy allergy(AllergyIntolerance a) {
            var reaction = a.hasReaction() ? a.getReactionFirstRep() : null;
            Allergy.Severity severity = reaction != null && reaction.hasSeverity() ? switch (reaction.getSeverity()) {
                case MILD -> Allergy.Severity.MILD;
                case SEVERE -> Allergy.Severity.SEVERE;
                default -> Allergy.Severity.MODERATE;
            } : a.getCriticality() == AllergyIntolerance.AllergyIntoleranceCriticality.HIGH ? Allergy.Severity.SEVERE
                    : a.getCriticality() == AllergyIntolerance.AllergyIntoleranceCriticality.LOW ? Allergy.Severity.MILD : Allergy.Severity.MODERATE;
            String manifestation = reaction != null && reaction.hasManifestation() ? text(reaction.getManifestationFirstRep()) : null;
            String clinical = a.hasClinicalStatus() ? a.getClinicalStatus().getCodingFirstRep().getCode() : null;
            String verification = a.hasVerificationStatus() ? a.getVerificationStatus().getCodingFirstRep().getCode() : null;
            // In force for prescribing only if the source says so: a refuted allergy without a clinical status is not.
            Allergy.Status status = "entered-in-error".equals(verification) ? Allergy.Status.ENTERED_IN_ERROR
                    : "resolved".equals(clinical) ? Allergy.Status.RESOLVED
                    : "inactive".equals(clinical) || (clinical == null && "refuted".equals(verification)) ? Allergy.Status.INACTIVE
                    : Allergy.Status.ACTIVE;
            String atc = code(a.getCode(), FhirCodes.ATC);
            Imported source = new Imported(codings(a.getCode()), a.getCategory().stream().map(c -> new Imported.Code(null, c.getCode(), null)).toList(),
                    clinical, verification, null, a.hasCriticality() ? a.getCriticality().toCode() : null,
                    a.hasRecordedDate() ? a.getRecordedDateElement().getValueAsString() : null,
                    a.hasOnsetDateTimeType() ? a.getOnsetDateTimeType().getValueAsString() : null, null,
                    a.hasRecorder() ? who(a.getRecorder(), ExternalParty.Kind.PRACTITIONER) : a.hasAsserter()
                            ? who(a.getAsserter(), ExternalParty.Kind.PRACTITIONER) : null, null);
            return allergies.record(actor, patient(a.getPatient()), new AllergyService.AllergyInput(clip(text(a.getCode()), 200), atc,
                    clip(manifestation, 500), severity, a.getType() == AllergyIntolerance.AllergyIntoleranceType.INTOLERANCE
                    ? Allergy.Kind.INTOLERANCE : Allergy.Kind.ALLERGY, status), source);
        }

        private Problem condition(Condition c) {
            long patient = patient(c.getSubject());
            String clinical = c.hasClinicalStatus() ? c.getClinicalStatus().getCodingFirstRep().getCode() : null;
            String verification = c.hasVerificationStatus() ? c.getVerificationStatus().getCodingFirstRep().getCode() : null;
            Problem.Status status = "entered-in-error".equals(verification) ? Problem.Status.ENTERED_IN_ERROR
                    : "resolved".equals(clinical) || "inactive".equals(clinical) || "remission".equals(clinical)
                    || (clinical == null && "refuted".equals(verification)) ? Problem.Status.RESOLVED : Problem.Status.ACTIVE;
            LocalDate onset = c.hasOnsetDateTimeType() ? day(c.getOnsetDateTimeType(), "onsetDateTime") : null;
            String label = clip(text(c.getCode()), 300);
            Imported source = new Imported(codings(c.getCode()), c.getCategory().stream().flatMap(x -> codings(x).stream()).toList(),
                    clinical, verification, null, null, c.hasRecordedDate() ? c.getRecordedDateElement().getValueAsString() : null,
                    c.hasOnsetDateTimeType() ? c.getOnsetDateTimeType().getValueAsString() : null,
                    c.hasAbatementDateTimeType() ? c.getAbatementDateTimeType().getValueAsString() : null,
                    c.hasRecorder() ? who(c.getRecorder(), ExternalParty.Kind.PRACTITIONER) : c.hasAsserter()
                            ? who(c.getAsserter(), ExternalParty.Kind.PRACTITIONER) : null, null);
            String icd10 = code(c.getCode(), FhirCodes.ICD10);
            if (icd10 != null) {
                return problems.record(actor, patient, new ProblemService.ProblemInput(icd10, label, onset, status), source);
            }
            String snomed = code(c.getCode(), FhirCodes.SNOMED);
            if (snomed == null) {
                throw new InvalidInputException("code", "an ICD-10 or SNOMED CT coding is needed");
            }
            return problems.recordSnomed(actor, patient, snomed, label, onset, status, source);
        }

        /** The drug an order names: its own concept, or the Medication of the bundle it refers to; 422 otherwise. */
        private CodeableConcept drug(MedicationRequest m) {
            CodeableConcept drug = m.hasMedicationCodeableConcept() ? m.getMedicationCodeableConcept() : null;
            if (drug == null && m.hasMedicationReference()) {
                Resource med = byFullUrl.get(m.getMedicationReference().getReference());
                if (!(med instanceof Medication medication)) {
                    throw new UnprocessableEntityException("MedicationRequest: medication " + m.getMedicationReference().getReference()
                            + " is not in the bundle");
                }
                drug = medication.getCode();
            }
            if (drug == null) {
                throw new InvalidInputException("medication", "is required");
            }
            return drug;
        }

        /** The source's status, one to one: an order stopped there is never an order in force here. */
        private static MedicationOrder.Status status(MedicationRequest m) {
            return !m.hasStatus() ? MedicationOrder.Status.UNKNOWN : switch (m.getStatus()) {
                case ACTIVE -> MedicationOrder.Status.ACTIVE;
                case ONHOLD -> MedicationOrder.Status.ON_HOLD;
                case DRAFT -> MedicationOrder.Status.DRAFT;
                case STOPPED -> MedicationOrder.Status.STOPPED;
                case CANCELLED -> MedicationOrder.Status.CANCELLED;
                case COMPLETED -> MedicationOrder.Status.COMPLETED;
                case ENTEREDINERROR -> MedicationOrder.Status.ENTERED_IN_ERROR;
                default -> MedicationOrder.Status.UNKNOWN;
            };
        }

        private MedicationOrder medication(MedicationRequest m) {
            CodeableConcept drug = drug(m);
            MedicationOrder.Status status = status(m);
            var dosage = m.hasDosageInstruction() ? m.getDosageInstructionFirstRep() : null;
            String dose = null;
            String frequency = null;
            String route = null;
            if (dosage != null) {
                dose = FhirCodes.dose(dosage);
                frequency = FhirCodes.frequency(dosage);
                if (frequency == null && dosage.getAsNeededBooleanType().booleanValue()) {
                    frequency = "as needed";
                }
                if (dosage.hasRoute()) {
                    route = text(dosage.getRoute());
                }
            }
            LocalDate start = m.hasAuthoredOn() ? day(m.getAuthoredOnElement(), "authoredOn") : null;
            Imported.Party requester = m.hasRequester() ? who(m.getRequester(), ExternalParty.Kind.PRACTITIONER) : null;
            String prescriber = requester == null ? null : requester.name();
            String encounter = m.hasEncounter() ? encounterLabels.get(m.getEncounter().getReference()) : null;
            String from = run.source() + (prescriber == null ? "" : "; prescribed by " + prescriber) + (encounter == null ? "" : "; " + encounter);
            Imported details = new Imported(codings(drug), m.getCategory().stream().flatMap(c -> codings(c).stream()).toList(),
                    m.hasStatus() ? m.getStatus().toCode() : null, null, m.hasIntent() ? m.getIntent().toCode() : null, null,
                    m.hasAuthoredOn() ? m.getAuthoredOnElement().getValueAsString() : null, null, null, requester, null);
            return prescriptions.recordHistory(actor, patient(m.getSubject()), new PrescriptionService.HistoricalOrder(clip(text(drug), 200),
                    code(drug, FhirCodes.ATC), clip(dose, 100), clip(route, 40), clip(frequency, 100), start, null, status, clip(from, 500),
                    m.hasAuthoredOn() ? m.getAuthoredOn().toInstant() : null, details));
        }

        /**
         * Any observation coded in LOINC, as sent (ADR 0027): a vital sign or a numeric result keeps its number in the
         * record's columns (vital signs converted to the record's unit, the measured value kept); a coded finding, a text,
         * a yes/no, a survey's answers and scores (components), a value absent with its reason, several categories and an
         * effective period are kept in the observation's result. Only value types Dossier does not hold (a range, a
         * ratio, sampled data) and panels that only point to other observations are reported as not modelled.
         */
        private String observation(Observation o) {
            String loinc = code(o.getCode(), FhirCodes.LOINC);
            if (loinc == null) {
                throw new InvalidInputException("code", "a LOINC coding is needed");
            }
            checkModelled(o);
            Measured m = measured(o, loinc);
            String label = m.kind() == ObservationKind.LAB ? clip(text(o.getCode()), 200) : m.kind().label();
            ObservationResult result = result(o, m, label);
            if (m.value() == null && !result.holdsAValue()) {
                throw new NotModelled(o.hasHasMember() || o.hasDerivedFrom()
                        ? "Observation that only groups other observations (hasMember, derivedFrom) (" + text(o.getCode()) + ")"
                        : "Observation without a value, components nor a reason for their absence (" + text(o.getCode()) + ")");
            }
            ObservationResult.Period period = result.effectivePeriod();
            java.time.Instant at = o.hasEffectiveDateTimeType() ? o.getEffectiveDateTimeType().getValue().toInstant()
                    : period != null && period.start() != null ? o.getEffectivePeriod().getStart().toInstant()
                    : period != null && period.end() != null ? o.getEffectivePeriod().getEnd().toInstant()
                    : o.hasIssued() ? o.getIssued().toInstant() : null;
            Imported.Party performer = o.hasPerformer() ? who(o.getPerformerFirstRep(), o.getPerformerFirstRep().getReference() != null
                    && o.getPerformerFirstRep().getReference().startsWith("Organization") ? ExternalParty.Kind.ORGANIZATION
                    : ExternalParty.Kind.PRACTITIONER) : null;
            Imported source = new Imported(codings(o.getCode()), o.getCategory().stream().flatMap(x -> codings(x).stream()).toList(),
                    o.hasStatus() ? o.getStatus().toCode() : null, null, null, null,
                    o.hasIssued() ? o.getIssuedElement().getValueAsString() : null,
                    o.hasEffectiveDateTimeType() ? o.getEffectiveDateTimeType().getValueAsString() : null, null, performer, null);
            boolean lab = m.kind() == ObservationKind.LAB;
            var created = observations.record(actor, patient(o.getSubject()), new ObservationService.ObservationInput(m.kind(), m.value(),
                    m.value2(), m.unit(), at, lab ? loinc : null, lab ? label : null), source, result);
            return "Observation/" + created.id();
        }

        /** Refuses, as not modelled, a value of a type Dossier does not hold and an effective time that is neither instant nor period. */
        private static void checkModelled(Observation o) {
            if (!ObservationValues.kept(o.hasValue() ? o.getValue() : null)
                    || o.getComponent().stream().anyMatch(c -> !ObservationValues.kept(c.hasValue() ? c.getValue() : null))) {
                throw new NotModelled("Observation with a value of a type Dossier does not hold (" + text(o.getCode()) + ")");
            }
            if (o.hasEffective() && !o.hasEffectiveDateTimeType() && !o.hasEffectivePeriod()) {
                throw new NotModelled("Observation effective given as " + o.getEffective().fhirType() + " (a dateTime or a period is kept)");
            }
        }

        /** What the record's columns keep: a vital sign's or a plain result's number, a blood pressure's pair; else a LAB kept as sent. */
        private Measured measured(Observation o, String loinc) {
            ObservationKind kind = Arrays.stream(ObservationKind.values()).filter(k -> loinc.equals(k.code())).findFirst()
                    .orElse(ObservationKind.LAB);
            BigDecimal value = null;
            BigDecimal value2 = null;
            String unit = null;
            if (kind == ObservationKind.BLOOD_PRESSURE) {
                for (var c : o.getComponent()) {
                    String code = code(c.getCode(), FhirCodes.LOINC);
                    if ("8480-6".equals(code) && c.hasValueQuantity()) {
                        value = c.getValueQuantity().getValue();
                    } else if ("8462-4".equals(code) && c.hasValueQuantity()) {
                        value2 = c.getValueQuantity().getValue();
                    }
                }
                if (value == null || value2 == null || o.getComponent().size() != 2) {
                    // Not the pair of pressures a trend draws: kept as sent, a panel with its components.
                    return new Measured(ObservationKind.LAB, null, null, null);
                }
            } else if (o.hasValueQuantity() && (kind.isVitalSign() || plainNumber(o.getValueQuantity()))) {
                value = o.getValueQuantity().getValue();
                unit = o.getValueQuantity().hasCode() ? o.getValueQuantity().getCode() : o.getValueQuantity().getUnit();
                // A vital sign in another unit (°F, lb, in) is converted by the record, which keeps the value as measured.
            }
            if (value == null && kind.isVitalSign()) {
                kind = ObservationKind.LAB; // a vital sign without its number (absent, or coded): kept as sent, never trended
            }
            return new Measured(kind, value, value2, unit);
        }

        /** What the columns do not hold, kept in the observation's result: other values, components, categories, a period. */
        private static ObservationResult result(Observation o, Measured m, String label) {
            // A number finer than the column's thousandths is kept exact beside it (served as sent); the column keeps
            // what ranges and trends read. Not when a vital sign is converted: the measured value is kept as such.
            boolean exact = m.value() != null && m.value2() == null && m.value().stripTrailingZeros().scale() > 3
                    && (!m.kind().isVitalSign() || m.kind().unit().equals(m.unit()));
            ObservationResult.Value other = exact ? new ObservationResult.Value(ObservationValues.quantity(o.getValueQuantity()), null, null,
                    null, null, null, null, null) : m.value() != null ? null
                    : ObservationValues.value(o.hasValue() ? o.getValue() : null, o.hasDataAbsentReason() ? o.getDataAbsentReason() : null);
            List<ObservationResult.Component> components = m.kind() == ObservationKind.BLOOD_PRESSURE ? List.of()
                    : o.getComponent().stream().map(ObservationValues::component).toList();
            // Categories are kept one coding each in source; grouped as sent only where one carries several codings or a text.
            List<ObservationResult.Concept> categories = o.getCategory().stream().anyMatch(c -> c.getCoding().size() > 1 || c.hasText())
                    ? o.getCategory().stream().map(ObservationValues::concept).toList() : List.of();
            ObservationResult.Period period = o.hasEffectivePeriod() ? new ObservationResult.Period(
                    o.getEffectivePeriod().hasStart() ? o.getEffectivePeriod().getStartElement().getValueAsString() : null,
                    o.getEffectivePeriod().hasEnd() ? o.getEffectivePeriod().getEndElement().getValueAsString() : null) : null;
            return new ObservationResult(other, components, categories, period,
                    o.getCode().hasText() && !o.getCode().getText().equals(label) ? o.getCode().getText() : null);
        }

        /**
         * A result's quantity that is one number the record's column can hold: a value and a unit, no comparator ("<0.5"
         * is not 0.5), within the column's range. Anything else is kept as sent in the observation's result.
         */
        private static boolean plainNumber(org.hl7.fhir.r4.model.Quantity q) {
            return q.hasValue() && !q.hasComparator() && (q.hasCode() || q.hasUnit())
                    && q.getValue().abs().compareTo(new BigDecimal("999999999")) < 0;
        }

        /** A procedure as the source coded it (SNOMED CT from Synthea), performed at an instant or over a period. */
        private String procedure(org.hl7.fhir.r4.model.Procedure p) {
            if (!p.hasStatus()) {
                throw new InvalidInputException("status", "is required");
            }
            String start = null;
            String end = null;
            if (p.hasPerformedPeriod()) {
                start = p.getPerformedPeriod().hasStart() ? p.getPerformedPeriod().getStartElement().getValueAsString() : null;
                end = p.getPerformedPeriod().hasEnd() ? p.getPerformedPeriod().getEndElement().getValueAsString() : null;
                if (start == null) {
                    throw new InvalidInputException("performedPeriod.start", "a period needs its start");
                }
                if (end == null) {
                    // Served back as a dateTime otherwise (a period is told from an instant by its end): refused, not altered.
                    throw new InvalidInputException("performedPeriod.end", "an open period (no end) is not kept; send performedDateTime");
                }
            } else if (p.hasPerformedDateTimeType()) {
                start = p.getPerformedDateTimeType().getValueAsString();
            } else if (p.hasPerformed()) {
                throw new NotModelled("Procedure performed given as " + p.getPerformed().fhirType() + " (only a dateTime or a period is kept)");
            }
            Coding first = p.getCode().getCoding().stream().filter(Coding::hasCode).findFirst().orElse(null);
            Imported.Party performer = p.hasPerformer() && p.getPerformerFirstRep().hasActor()
                    ? who(p.getPerformerFirstRep().getActor(), kindOf(p.getPerformerFirstRep().getActor())) : null;
            Imported source = new Imported(codings(p.getCode()), p.hasCategory() ? codings(p.getCategory()) : List.of(),
                    p.getStatus().toCode(), null, null, null, null, start, end, performer, null);
            var created = procedures.recordImported(actor, patient(p.getSubject()), new ProcedureService.ProcedureInput(
                    first == null ? null : first.getSystem(), first == null ? null : first.getCode(), clip(text(p.getCode()), 300),
                    p.getStatus().toCode(), start == null ? null : new org.hl7.fhir.r4.model.DateTimeType(start).getValue().toInstant(),
                    end == null ? null : new org.hl7.fhir.r4.model.DateTimeType(end).getValue().toInstant()), source);
            return "Procedure/" + created.id();
        }

        /** A vaccine given, as the source coded it (CVX from Synthea). */
        private String immunization(org.hl7.fhir.r4.model.Immunization im) {
            if (!im.hasStatus()) {
                throw new InvalidInputException("status", "is required");
            }
            if (!im.hasOccurrenceDateTimeType()) {
                throw new InvalidInputException("occurrence", "an occurrenceDateTime is needed");
            }
            String at = im.getOccurrenceDateTimeType().getValueAsString();
            Coding first = im.getVaccineCode().getCoding().stream().filter(Coding::hasCode).findFirst().orElse(null);
            Imported.Party performer = im.hasPerformer() && im.getPerformerFirstRep().hasActor()
                    ? who(im.getPerformerFirstRep().getActor(), kindOf(im.getPerformerFirstRep().getActor())) : null;
            // primarySource (whether the record comes from who gave the vaccine) is kept in the verification slot.
            Imported source = new Imported(codings(im.getVaccineCode()), List.of(), im.getStatus().toCode(),
                    im.hasPrimarySource() ? Boolean.toString(im.getPrimarySource()) : null, null, null,
                    im.hasRecorded() ? im.getRecordedElement().getValueAsString() : null, at, null, performer, null);
            var created = immunizations.recordImported(actor, patient(im.getPatient()), new ImmunizationService.ImmunizationInput(
                    first == null ? null : first.getSystem(), first == null ? null : first.getCode(), clip(text(im.getVaccineCode()), 300),
                    im.getStatus().toCode(), im.getOccurrenceDateTimeType().getValue().toInstant()), source);
            return "Immunization/" + created.id();
        }

        /** A stored record and the source's id of it: the entry's fullUrl, else the resource's own type and id. */
        private static Imports.Origin origin(Bundle.BundleEntryComponent entry, Resource resource, String location) {
            String[] served = location.split("/", 3);
            String original = entry.hasFullUrl() ? entry.getFullUrl()
                    : resource.hasIdElement() && resource.getIdElement().hasIdPart() ? resource.fhirType() + "/" + resource.getIdElement().getIdPart()
                    : ImportOrigins.NO_ID;
            return new Imports.Origin(served[0], served[1], served[0].equals("Patient") ? Long.valueOf(served[1]) : null, original);
        }

        private ExternalParty.Kind kindOf(Reference actor) {
            return actor.getReference() != null && actor.getReference().startsWith("Organization") ? ExternalParty.Kind.ORGANIZATION
                    : ExternalParty.Kind.PRACTITIONER;
        }

        /** The patient a clinical entry is about: one registered from this bundle (anything else is refused by the gateway). */
        private long patient(Reference subject) {
            String ref = subject.getReference();
            Long id = ref == null ? null : patientIds.get(ref);
            if (id != null) {
                return id;
            }
            if (ref != null && ref.matches("Patient/\\d{1,18}")) {
                return Long.parseLong(ref.substring("Patient/".length()));
            }
            throw new UnprocessableEntityException("subject " + ref + " does not resolve to a patient of this bundle");
        }

        /** The name of a practitioner or organization referred to by a reference into this bundle or a conditional one. */
        private String party(Reference reference, ExternalParty.Kind kind) {
            Imported.Party p = who(reference, kind);
            return p == null ? null : p.name();
        }

        /**
         * Someone a record names: the external party the import recorded (from a conditional reference, or a Practitioner
         * or Organization of this bundle), else only the name the reference displays.
         */
        private Imported.Party who(Reference reference, ExternalParty.Kind kind) {
            String ref = reference.getReference();
            String type = kind == ExternalParty.Kind.ORGANIZATION ? "Organization" : "Practitioner";
            if (ref != null && ref.contains("?identifier=")) {
                String[] token = ref.substring(ref.indexOf("?identifier=") + "?identifier=".length()).split("\\|", 2);
                if (token.length == 2) {
                    ExternalParty.Kind of = ref.startsWith("Organization?") ? ExternalParty.Kind.ORGANIZATION
                            : ref.startsWith("Practitioner?") ? ExternalParty.Kind.PRACTITIONER : kind;
                    ExternalParty found = directory.find(of, token[0], token[1]).orElseThrow(() -> new UnprocessableEntityException(
                            ref + " does not resolve: import the bundles of organizations and practitioners first (Synthea's hospitalInformation "
                                    + "and practitionerInformation files)"));
                    return new Imported.Party(found.id(), ref.substring(0, ref.indexOf('?')), found.system(), found.value(), found.name());
                }
            }
            Resource inBundle = ref == null ? null : byFullUrl.get(ref);
            if (inBundle instanceof Practitioner p) {
                return known(ExternalParty.Kind.PRACTITIONER, "Practitioner", p.getIdentifier(), displayName(p.getNameFirstRep()));
            }
            if (inBundle instanceof Organization o) {
                return known(ExternalParty.Kind.ORGANIZATION, "Organization", o.getIdentifier(), o.getName());
            }
            if (!reference.hasDisplay()) {
                return null;
            }
            return new Imported.Party(null, reference.hasType() ? reference.getType() : type, null, null, withoutDigits(reference.getDisplay()));
        }

        private Imported.Party known(ExternalParty.Kind kind, String type, List<Identifier> identifiers, String name) {
            Identifier id = identifiers.stream().filter(i -> i.hasSystem() && i.hasValue()).findFirst().orElse(null);
            Long partyId = id == null ? null : directory.find(kind, id.getSystem(), id.getValue()).map(ExternalParty::id).orElse(null);
            return new Imported.Party(partyId, type, id == null ? null : id.getSystem(), id == null ? null : id.getValue(), name);
        }

        private void fail(int i, String status, String message, String type) {
            if (type != null) {
                count(refused, type);
            }
            responses[i] = entryResponse(status, OperationOutcome.IssueSeverity.ERROR, message);
        }

        private int rank(int i) {
            Resource r = bundle.getEntry().get(i).getResource();
            int at = r == null ? -1 : ORDER.indexOf(r.fhirType());
            return at < 0 ? ORDER.size() : at;
        }

        Bundle response() {
            Bundle out = new Bundle().setType(transaction ? Bundle.BundleType.TRANSACTIONRESPONSE : Bundle.BundleType.BATCHRESPONSE);
            for (Bundle.BundleEntryResponseComponent r : responses) {
                out.addEntry().setResponse(r);
            }
            return out;
        }

        Report report() {
            return new Report(storedCounts, notModelled, notApplicable, refused, patientIds.size());
        }
    }

    /** An entry whose content Dossier does not hold (counted as not modelled, not as refused). */
    /** What an observation's columns keep: its kind, its number (a blood pressure's two) and the unit it came in. */
    private record Measured(ObservationKind kind, BigDecimal value, BigDecimal value2, String unit) {
    }

    static final class NotModelled extends InvalidInputException {
        NotModelled(String message) {
            super("resource", message);
        }
    }

    /** The payer a claim is addressed to or an explanation of benefit comes from, as the source names it. */
    private static String payer(Resource resource) {
        Reference payer = resource instanceof org.hl7.fhir.r4.model.Claim c && c.hasInsurance() ? c.getInsuranceFirstRep().getCoverage()
                : resource instanceof org.hl7.fhir.r4.model.ExplanationOfBenefit e ? e.getInsurer() : null;
        String name = payer == null ? null : payer.hasDisplay() ? payer.getDisplay() : payer.getReference();
        return name == null ? "payer not named" : "payer " + clip(name, 80);
    }

    private static Bundle.BundleEntryResponseComponent entryResponse(String status, OperationOutcome.IssueSeverity severity, String message) {
        OperationOutcome outcome = new OperationOutcome();
        // A warning is what is not modelled; information, what does not apply here (a foreign payer's billing).
        outcome.addIssue().setSeverity(severity).setCode(severity == OperationOutcome.IssueSeverity.WARNING
                ? OperationOutcome.IssueType.NOTSUPPORTED : severity == OperationOutcome.IssueSeverity.INFORMATION
                ? OperationOutcome.IssueType.INFORMATIONAL : OperationOutcome.IssueType.PROCESSING).setDiagnostics(message);
        return new Bundle.BundleEntryResponseComponent().setStatus(status).setOutcome(outcome);
    }

    private static void count(Map<String, Integer> counts, String type) {
        counts.merge(type, 1, Integer::sum);
    }

    private static String statusText(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 412 -> "Precondition Failed";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            default -> "Error";
        };
    }

    /** A date of the source as a day; a partial one (a year, a month) refuses the entry, not the bundle. */
    private static LocalDate day(org.hl7.fhir.r4.model.BaseDateTimeType date, String field) {
        String text = date.getValueAsString();
        if (text == null || !text.matches("\\d{4}-\\d{2}-\\d{2}.*")) {
            throw new InvalidInputException(field, "a full date is needed (YYYY-MM-DD), not " + text);
        }
        return LocalDate.parse(text.substring(0, 10));
    }

    /** Registration data of a patient from another system: names without the digits Synthea appends, US phones as +1. */
    static PatientData patientData(Patient p) {
        HumanName official = p.getName().stream().filter(n -> n.getUse() == HumanName.NameUse.OFFICIAL).findFirst()
                .orElse(p.getNameFirstRep());
        HumanName maiden = p.getName().stream().filter(n -> n.getUse() == HumanName.NameUse.MAIDEN).findFirst().orElse(null);
        String family = withoutDigits(official.getFamily());
        String birthFamily = maiden != null && maiden.hasFamily() ? withoutDigits(maiden.getFamily()) : family;
        String given = official.getGiven().stream().map(StringType::getValue).map(BundleImport::withoutDigits).collect(Collectors.joining(" "));
        Sex sex = p.getGender() == Enumerations.AdministrativeGender.MALE ? Sex.M
                : p.getGender() == Enumerations.AdministrativeGender.FEMALE ? Sex.F : Sex.U;
        LocalDate birth = p.hasBirthDate() ? FhirCodes.day(p.getBirthDateElement().getValueAsString()) : null;
        List<PatientData.Address> addresses = new ArrayList<>();
        p.getAddress().forEach(a -> addresses.add(new PatientData.Address("HOME",
                a.getLine().stream().map(StringType::getValue).collect(Collectors.joining(", ")), a.getPostalCode(), a.getCity(), null,
                country(a.getCountry()))));
        List<PatientData.Phone> phones = new ArrayList<>();
        p.getTelecom().stream().filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.PHONE).forEach(t -> phones.add(new PatientData.Phone(
                t.getUse() == ContactPoint.ContactPointUse.MOBILE ? "MOBILE" : t.getUse() == ContactPoint.ContactPointUse.WORK ? "WORK" : "HOME",
                international(t.getValue(), country(p.hasAddress() ? p.getAddressFirstRep().getCountry() : null)))));
        List<PatientData.Email> emails = new ArrayList<>();
        p.getTelecom().stream().filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.EMAIL)
                .forEach(t -> emails.add(new PatientData.Email("HOME", t.getValue())));
        String birthplace = p.getExtension().stream().filter(x -> x.getUrl().endsWith("patient-birthPlace")).findFirst()
                .map(x -> x.getValue() instanceof org.hl7.fhir.r4.model.Address a ? country(a.getCountry()) : null)
                .map(c -> INSEE_COUNTRIES.get(c)).orElse(null);
        return new PatientData(birthFamily, java.util.Objects.equals(birthFamily, family) ? null : family, given, birth, sex, birthplace, null, null,
                IdentityStatus.PROVISIONAL, addresses, phones, emails, List.of(), null, null);
    }

    /** INSEE codes of the countries of birth we meet in imports (the code of a birthplace abroad). */
    private static final Map<String, String> INSEE_COUNTRIES = Map.of("US", "99404", "CA", "99401", "GB", "99132", "DE", "99109",
            "BE", "99131", "ES", "99134", "IT", "99127", "CH", "99140");

    private static String country(String country) {
        if (country == null || country.isBlank()) {
            return null;
        }
        String c = country.strip().toUpperCase();
        return switch (c) {
            case "USA", "UNITED STATES" -> "US";
            case "FRANCE" -> "FR";
            default -> c.length() == 2 ? c : null;
        };
    }

    /** A phone number as an international number: a US number of 10 digits becomes +1 and its digits. */
    private static String international(String number, String country) {
        if (number == null) {
            return null;
        }
        String digits = number.replaceAll("[^0-9+]", "");
        if (digits.startsWith("+")) {
            return digits;
        }
        if (("US".equals(country) || "CA".equals(country)) && digits.length() == 10) {
            return "+1" + digits;
        }
        if (digits.length() == 11 && digits.startsWith("1") && ("US".equals(country) || "CA".equals(country))) {
            return "+" + digits;
        }
        return number;
    }

    /** Synthea makes its names unique by appending digits ("Brent147"); people's names have none. */
    static String withoutDigits(String name) {
        return name == null ? null : name.replaceAll("\\d+", "").replaceAll("\\s+", " ").strip();
    }

    private static String displayName(HumanName n) {
        String prefix = n.hasPrefix() ? n.getPrefix().get(0).getValue() + " " : "";
        return withoutDigits(prefix + n.getGiven().stream().map(StringType::getValue).collect(Collectors.joining(" ")) + " " + n.getFamily());
    }

    private static Identifier firstIdentifier(List<Identifier> identifiers, Bundle.BundleEntryComponent entry) {
        return identifiers.stream().filter(i -> i.hasSystem() && i.hasValue()).findFirst()
                .orElseThrow(() -> new InvalidInputException("identifier", "an identifier (system and value) is needed to refer to "
                        + entry.getResource().fhirType() + " " + entry.getFullUrl()));
    }

    private static String text(CodeableConcept c) {
        if (c == null) {
            return null;
        }
        if (c.hasText()) {
            return c.getText();
        }
        return c.getCoding().stream().map(Coding::getDisplay).filter(d -> d != null && !d.isBlank()).findFirst()
                .orElse(c.getCodingFirstRep().getCode());
    }

    /** Every coding of a concept, as sent (system, code, display). */
    private static List<Imported.Code> codings(CodeableConcept c) {
        return c == null ? List.of() : c.getCoding().stream().filter(x -> x.hasCode() || x.hasSystem())
                .map(x -> new Imported.Code(x.getSystem(), x.getCode(), x.getDisplay())).toList();
    }

    private static String code(CodeableConcept c, String system) {
        return c == null ? null : c.getCoding().stream().filter(x -> system.equals(x.getSystem()) && x.hasCode()).map(Coding::getCode)
                .findFirst().orElse(null);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
