package org.dossier.fhir;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.dossier.care.Stay;
import org.dossier.care.StayKind;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationKind;
import org.dossier.clinical.ObservationResult;
import org.dossier.clinical.Problem;
import org.dossier.patient.PatientData;
import org.dossier.platform.Imported;
import org.dossier.patient.PatientSearchResult;
import org.dossier.prescribing.MedicationOrder;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Date;

/**
 * Our records as FHIR R4 resources. Identifier systems: the IPP of each facility, the INS with its OID
 * (NIR 1.2.250.1.213.1.4.8, NIA 1.2.250.1.213.1.4.9), the RPPS of practitioners (1.2.250.1.71.4.2.1).
 * Codes: ICD-10 for problems, LOINC for observations, ATC for drugs and allergy substances when known.
 */
final class FhirMapping {

    static final String IPP_SYSTEM = "https://dossier.example/fhir/sid/ipp";
    static final String INS_NIR_OID = "1.2.250.1.213.1.4.8";
    static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    static final String ICD10 = "http://hl7.org/fhir/sid/icd-10";
    static final String LOINC = "http://loinc.org";
    static final String SNOMED = "http://snomed.info/sct";
    static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    /** Encounters imported as history have ids of their own: "h" and a number, apart from stays' numbers. */
    static final String PAST_ENCOUNTER_PREFIX = "h";
    static final String ATC = "http://www.whocc.no/atc";
    static final String UCUM = "http://unitsofmeasure.org";
    /** An extension on a converted value: the quantity as measured, in the unit it was measured in. */
    static final String ORIGINAL_QUANTITY = "https://dossier.example/fhir/StructureDefinition/original-quantity";

    private FhirMapping() {
    }

    // ---------------------------------------------------------------- Patient

    static Patient patient(org.dossier.patient.Patient p) {
        PatientData d = p.data();
        Patient r = new Patient();
        r.setId(Long.toString(p.id()));
        r.getMeta().setVersionId(Integer.toString(p.version())).setLastUpdated(Date.from(p.updatedAt()));
        r.addIdentifier(ipp(p.facilityId(), p.ipp()));
        if (d.insMatricule() != null) {
            r.addIdentifier().setUse(Identifier.IdentifierUse.OFFICIAL)
                    .setType(new CodeableConcept().addCoding(new Coding(V2_0203, "NI", "National unique individual identifier")))
                    .setSystem("urn:oid:" + (d.insOid() == null ? INS_NIR_OID : d.insOid())).setValue(d.insMatricule());
        }
        r.setActive(p.status() == org.dossier.patient.PatientStatus.ACTIVE);
        HumanName official = r.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(d.birthFamilyName());
        Arrays.stream(d.givenNames().split(" ")).filter(g -> !g.isBlank()).forEach(official::addGiven);
        if (d.usedName() != null) {
            HumanName usual = r.addName().setUse(HumanName.NameUse.USUAL).setFamily(d.usedName());
            Arrays.stream(d.givenNames().split(" ")).filter(g -> !g.isBlank()).findFirst().ifPresent(usual::addGiven);
        }
        r.setGender(gender(d.sex()));
        r.setBirthDateElement(new DateType(d.birthDate().toString()));
        for (PatientData.Address a : d.addresses()) {
            if (a == null) {
                continue;
            }
            var address = r.addAddress().setPostalCode(a.postalCode()).setCity(a.city()).setCountry(a.country());
            if (a.line() != null) {
                address.addLine(a.line());
            }
            address.setUse("WORK".equals(a.use()) ? org.hl7.fhir.r4.model.Address.AddressUse.WORK : org.hl7.fhir.r4.model.Address.AddressUse.HOME);
        }
        for (PatientData.Phone phone : d.phones()) {
            if (phone == null || phone.number() == null) {
                continue;
            }
            r.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(phone.number()).setUse(switch (String.valueOf(phone.use())) {
                case "MOBILE" -> ContactPoint.ContactPointUse.MOBILE;
                case "WORK" -> ContactPoint.ContactPointUse.WORK;
                default -> ContactPoint.ContactPointUse.HOME;
            });
        }
        for (PatientData.Email email : d.emails()) {
            if (email != null && email.address() != null) {
                r.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue(email.address());
            }
        }
        if (p.mergedInto() != null) {
            r.addLink().setType(Patient.LinkType.REPLACEDBY).setOther(new Reference("Patient/" + p.mergedInto()));
        }
        return r;
    }

    /** A FHIR Patient as the registry's record to register: what we model is taken, the rest is left out. */
    static PatientData patientData(Patient r) {
        HumanName official = r.getName().stream().filter(n -> n.getUse() == HumanName.NameUse.OFFICIAL).findFirst()
                .orElse(r.getName().isEmpty() ? new HumanName() : r.getNameFirstRep());
        HumanName usual = r.getName().stream().filter(n -> n.getUse() == HumanName.NameUse.USUAL).findFirst().orElse(null);
        String given = official.getGiven().stream().map(org.hl7.fhir.r4.model.StringType::getValue).collect(java.util.stream.Collectors.joining(" "));
        org.dossier.patient.Sex sex = switch (r.hasGender() ? r.getGender() : Enumerations.AdministrativeGender.UNKNOWN) {
            case FEMALE -> org.dossier.patient.Sex.F;
            case MALE -> org.dossier.patient.Sex.M;
            default -> org.dossier.patient.Sex.U;
        };
        String ins = null;
        String insOid = null;
        for (Identifier id : r.getIdentifier()) {
            if (id.getSystem() != null && id.getSystem().startsWith("urn:oid:1.2.250.1.213.1.4.")) {
                ins = id.getValue();
                insOid = id.getSystem().substring("urn:oid:".length());
            }
        }
        java.util.List<PatientData.Address> addresses = new java.util.ArrayList<>();
        for (org.hl7.fhir.r4.model.Address a : r.getAddress()) {
            addresses.add(new PatientData.Address(a.getUse() == org.hl7.fhir.r4.model.Address.AddressUse.WORK ? "WORK" : "HOME",
                    a.getLine().isEmpty() ? null : a.getLine().stream().map(org.hl7.fhir.r4.model.StringType::getValue)
                            .collect(java.util.stream.Collectors.joining(", ")),
                    a.getPostalCode(), a.getCity(), null, a.hasCountry() ? a.getCountry() : null));
        }
        java.util.List<PatientData.Phone> phones = new java.util.ArrayList<>();
        java.util.List<PatientData.Email> emails = new java.util.ArrayList<>();
        for (ContactPoint c : r.getTelecom()) {
            if (c.getSystem() == ContactPoint.ContactPointSystem.PHONE) {
                phones.add(new PatientData.Phone(c.getUse() == ContactPoint.ContactPointUse.MOBILE ? "MOBILE"
                        : c.getUse() == ContactPoint.ContactPointUse.WORK ? "WORK" : "HOME", c.getValue()));
            } else if (c.getSystem() == ContactPoint.ContactPointSystem.EMAIL) {
                emails.add(new PatientData.Email(c.getUse() == ContactPoint.ContactPointUse.WORK ? "WORK" : "HOME", c.getValue()));
            }
        }
        return new PatientData(official.getFamily(), usual == null ? null : usual.getFamily(), given.isBlank() ? null : given,
                r.hasBirthDate() ? day(r.getBirthDateElement().getValueAsString()) : null, sex, null, ins, insOid,
                org.dossier.patient.IdentityStatus.PROVISIONAL, addresses, phones, emails, java.util.List.of(), null, null);
    }

    /**
     * A search result shows what the gateway allows a search to show: name, birth year, sex and the local identifier —
     * marked SUBSETTED, as FHIR says of a resource that is deliberately incomplete. Reading it is a separate decision.
     */
    static Patient searchResult(PatientSearchResult s) {
        Patient r = new Patient();
        r.setId(Long.toString(s.id()));
        r.getMeta().addTag("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "SUBSETTED", "subsetted");
        r.addIdentifier(ipp(s.facilityId(), s.ipp()));
        HumanName name = r.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(s.birthFamilyName());
        Arrays.stream(s.givenNames().split(" ")).filter(g -> !g.isBlank()).forEach(name::addGiven);
        if (s.usedName() != null) {
            r.addName().setUse(HumanName.NameUse.USUAL).setFamily(s.usedName());
        }
        r.setGender(gender(s.sex()));
        r.setBirthDateElement(new DateType(Integer.toString(s.birthYear())));
        r.setActive(s.status() == org.dossier.patient.PatientStatus.ACTIVE);
        return r;
    }

    private static Identifier ipp(int facilityId, String ipp) {
        return new Identifier().setUse(Identifier.IdentifierUse.USUAL)
                .setType(new CodeableConcept().addCoding(new Coding(V2_0203, "PI", "Patient internal identifier")))
                .setSystem(IPP_SYSTEM + "/" + facilityId).setValue(ipp);
    }

    private static Enumerations.AdministrativeGender gender(org.dossier.patient.Sex sex) {
        return switch (sex) {
            case F -> Enumerations.AdministrativeGender.FEMALE;
            case M -> Enumerations.AdministrativeGender.MALE;
            default -> Enumerations.AdministrativeGender.UNKNOWN;
        };
    }

    // ---------------------------------------------------------------- clinical

    static AllergyIntolerance allergy(Allergy a) {
        AllergyIntolerance r = new AllergyIntolerance();
        r.setId(Long.toString(a.id()));
        r.getMeta().setVersionId(Integer.toString(a.version())).setLastUpdated(Date.from(a.updatedAt()));
        r.setPatient(new Reference("Patient/" + a.patientId()));
        Imported source = a.source();
        ImportOrigins.mark(r, source);
        if (source != null) {
            // As the source sent it (the record has not changed since: a change here clears the source).
            if (source.status() != null) {
                r.setClinicalStatus(concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", source.status(), null));
            }
            if (source.verification() != null) {
                r.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", source.verification(), null));
            }
        } else if (a.status() == Allergy.Status.ENTERED_IN_ERROR) {
            r.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "entered-in-error",
                    "Entered in Error"));
        } else {
            String status = switch (a.status()) {
                case ACTIVE -> "active";
                case INACTIVE -> "inactive";
                default -> "resolved";
            };
            r.setClinicalStatus(concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", status, null));
            r.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"));
        }
        r.setType(a.kind() == Allergy.Kind.INTOLERANCE ? AllergyIntolerance.AllergyIntoleranceType.INTOLERANCE
                : AllergyIntolerance.AllergyIntoleranceType.ALLERGY);
        if (source != null) {
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
        } else {
            r.setCriticality(a.severity() == Allergy.Severity.SEVERE ? AllergyIntolerance.AllergyIntoleranceCriticality.HIGH
                    : AllergyIntolerance.AllergyIntoleranceCriticality.LOW);
        }
        CodeableConcept substance = codeable(source, a.substance());
        if (a.substanceCode() != null && a.substanceCode().matches("[A-Z][0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?")
                && substance.getCoding().stream().noneMatch(c -> ATC.equals(c.getSystem()))) {
            substance.addCoding().setSystem(ATC).setCode(a.substanceCode());
        }
        r.setCode(substance);
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
            r.setRecorder(party(source.party()));
        }
        return r;
    }

    static Condition condition(Problem p) {
        Condition r = new Condition();
        r.setId(Long.toString(p.id()));
        r.getMeta().setVersionId(Integer.toString(p.version())).setLastUpdated(Date.from(p.updatedAt()));
        r.setSubject(new Reference("Patient/" + p.patientId()));
        Imported source = p.source();
        ImportOrigins.mark(r, source);
        if (source != null && !source.categories().isEmpty()) {
            source.categories().forEach(c -> r.addCategory(concept(c)));
        } else {
            r.addCategory(concept("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item"));
        }
        if (source != null) {
            if (source.status() != null) {
                r.setClinicalStatus(concept("http://terminology.hl7.org/CodeSystem/condition-clinical", source.status(), null));
            }
            if (source.verification() != null) {
                r.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", source.verification(), null));
            }
        } else if (p.status() == Problem.Status.ENTERED_IN_ERROR) {
            r.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error", "Entered in Error"));
        } else {
            r.setClinicalStatus(concept("http://terminology.hl7.org/CodeSystem/condition-clinical",
                    p.status() == Problem.Status.ACTIVE ? "active" : "resolved", null));
            r.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"));
        }
        CodeableConcept code = codeable(source, p.label());
        String system = org.dossier.clinical.Problem.SNOMED_CT.equals(p.codeSystem()) ? SNOMED : ICD10;
        if (code.getCoding().stream().noneMatch(c -> system.equals(c.getSystem()) && p.icd10Code().equals(c.getCode()))) {
            code.getCoding().add(0, new Coding(system, p.icd10Code(), p.label()));
        }
        r.setCode(code);
        if (source != null) {
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
                r.setRecorder(party(source.party()));
            }
        } else {
            if (p.onsetDate() != null) {
                r.setOnset(new DateTimeType(p.onsetDate().toString()));
            }
            r.setRecorder(new Reference("Practitioner/" + p.recordedBy()));
        }
        return r;
    }

    static org.hl7.fhir.r4.model.Observation observation(Observation o) {
        org.hl7.fhir.r4.model.Observation r = new org.hl7.fhir.r4.model.Observation();
        r.setId(Long.toString(o.id()));
        r.getMeta().setVersionId(Integer.toString(o.version()));
        Imported source = o.source();
        ImportOrigins.mark(r, source);
        ObservationResult result = o.result();
        boolean imported = source != null && (!source.codings().isEmpty() || source.start() != null || source.status() != null);
        r.setStatus(!"FINAL".equals(o.status()) ? org.hl7.fhir.r4.model.Observation.ObservationStatus.ENTEREDINERROR
                : imported && source.status() != null ? org.hl7.fhir.r4.model.Observation.ObservationStatus.fromCode(source.status())
                : org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL);
        boolean lab = o.kind() == ObservationKind.LAB;
        if (result != null && !result.categories().isEmpty()) {
            // Grouped as sent (a category with several codings, or a text).
            result.categories().forEach(c -> r.addCategory(ObservationValues.concept(c)));
        } else if (imported && !source.categories().isEmpty()) {
            source.categories().forEach(c -> r.addCategory(concept(c)));
        } else {
            r.addCategory(concept("http://terminology.hl7.org/CodeSystem/observation-category", lab ? "laboratory" : "vital-signs",
                    lab ? "Laboratory" : "Vital Signs"));
        }
        CodeableConcept code = codeable(source, result != null && result.codeText() != null ? result.codeText() : o.label());
        if (code.getCoding().stream().noneMatch(c -> LOINC.equals(c.getSystem()) && o.code().equals(c.getCode()))) {
            code.getCoding().add(0, new Coding(LOINC, o.code(), o.label()));
        }
        r.setCode(code);
        r.setSubject(new Reference("Patient/" + o.patientId()));
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
            r.setEffective(imported && source.start() != null ? new DateTimeType(source.start())
                    : new DateTimeType(Date.from(o.effectiveAt()), TemporalPrecisionEnum.SECOND, java.util.TimeZone.getTimeZone("UTC")));
        }
        if (imported && source.recorded() != null) {
            r.setIssuedElement(new org.hl7.fhir.r4.model.InstantType(source.recorded()));
        }
        if (!imported) {
            r.addPerformer(new Reference("Practitioner/" + o.recordedBy()));
        } else if (source.party() != null) {
            r.addPerformer(party(source.party()));
        }
        if (o.kind() == ObservationKind.BLOOD_PRESSURE) {
            r.addComponent().setCode(new CodeableConcept().addCoding(new Coding(LOINC, "8480-6", "Systolic blood pressure")))
                    .setValue(quantity(o.value(), o.unit()));
            r.addComponent().setCode(new CodeableConcept().addCoding(new Coding(LOINC, "8462-4", "Diastolic blood pressure")))
                    .setValue(quantity(o.value2(), o.unit()));
        } else if (o.value() != null && result != null && result.value() != null && result.value().quantity() != null) {
            // Finer than the column's thousandths: the number exactly as sent.
            r.setValue(ObservationValues.quantity(result.value().quantity()));
        } else if (o.value() != null) {
            Quantity value = quantity(o.value(), o.unit());
            if (source != null && source.original() != null) {
                // The value as measured, before conversion to the unit the record keeps (°F → °C, lb → kg, in → cm).
                Imported.Quantity m = source.original();
                value.addExtension(ORIGINAL_QUANTITY, new Quantity().setValue(m.value()).setUnit(m.unit()).setSystem(m.system()).setCode(m.code()));
            }
            r.setValue(value);
        }
        if (result != null) {
            // What is not one number (a coded finding, a text, a reason for no value), and a panel's or survey's components.
            if (o.value() == null && result.value() != null) {
                ObservationValues.serve(result.value(), r);
            }
            result.components().forEach(c -> r.addComponent(ObservationValues.component(c)));
        }
        return r;
    }

    private static Quantity quantity(BigDecimal value, String unit) {
        Quantity q = new Quantity().setValue(value);
        if (unit != null) {
            q.setUnit(unit).setSystem(UCUM).setCode(unit);
        }
        return q;
    }

    static MedicationRequest medicationRequest(MedicationOrder o) {
        MedicationRequest r = new MedicationRequest();
        r.setId(Long.toString(o.id()));
        r.getMeta().setVersionId(Integer.toString(o.version()));
        r.setStatus(switch (o.status()) {
            case ACTIVE -> MedicationRequest.MedicationRequestStatus.ACTIVE;
            case ON_HOLD -> MedicationRequest.MedicationRequestStatus.ONHOLD;
            case DRAFT -> MedicationRequest.MedicationRequestStatus.DRAFT;
            case STOPPED -> MedicationRequest.MedicationRequestStatus.STOPPED;
            case COMPLETED -> MedicationRequest.MedicationRequestStatus.COMPLETED;
            case CANCELLED -> MedicationRequest.MedicationRequestStatus.CANCELLED;
            case ENTERED_IN_ERROR -> MedicationRequest.MedicationRequestStatus.ENTEREDINERROR;
            case UNKNOWN -> MedicationRequest.MedicationRequestStatus.UNKNOWN;
        });
        Imported source = o.source();
        ImportOrigins.mark(r, source);
        r.setIntent(source != null && source.intent() != null ? MedicationRequest.MedicationRequestIntent.fromCode(source.intent())
                : MedicationRequest.MedicationRequestIntent.ORDER);
        if (source != null) {
            source.categories().forEach(c -> r.addCategory(concept(c)));
        }
        CodeableConcept drug = codeable(source, o.drug());
        if (o.atcCode() != null && drug.getCoding().stream().noneMatch(c -> ATC.equals(c.getSystem()))) {
            drug.addCoding().setSystem(ATC).setCode(o.atcCode());
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
            r.setRequester(party(source.party()));
        }
        r.addDosageInstruction().setText(o.dose() + ", " + o.route() + ", " + o.frequency()
                + (o.durationDays() == null ? "" : ", " + o.durationDays() + " days"));
        if (o.startDate() != null) {
            Period validity = new Period().setStartElement(new DateTimeType(o.startDate().toString()));
            if (o.endDate() != null) {
                validity.setEndElement(new DateTimeType(o.endDate().toString()));
            }
            r.getDispenseRequest().setValidityPeriod(validity);
        }
        if (o.renewedFrom() != null) {
            r.setPriorPrescription(new Reference("MedicationRequest/" + o.renewedFrom()));
        }
        return r;
    }

    static Encounter encounter(Stay s) {
        Encounter r = new Encounter();
        r.setId(Long.toString(s.id()));
        r.getMeta().setVersionId(Integer.toString(s.version()));
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
        r.setId(PAST_ENCOUNTER_PREFIX + e.id());
        ImportOrigins.mark(r, e);
        r.setStatus(e.endAt() == null ? Encounter.EncounterStatus.UNKNOWN : Encounter.EncounterStatus.FINISHED);
        r.setClass_(new Coding(ACT_CODE, e.encounterClass(), null));
        CodeableConcept type = r.addType().setText(e.type());
        if (e.typeCode() != null) {
            type.addCoding(new Coding(SNOMED, e.typeCode(), e.type()));
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

    /** Every coding the source sent, as sent; the text is ours (what the record shows). */
    static CodeableConcept codeable(Imported source, String text) {
        CodeableConcept c = new CodeableConcept().setText(text);
        if (source != null) {
            source.codings().forEach(x -> c.addCoding(new Coding(x.system(), x.code(), x.display())));
        }
        return c;
    }

    private static CodeableConcept concept(Imported.Code code) {
        return new CodeableConcept().addCoding(new Coding(code.system(), code.code(), code.display()));
    }

    /**
     * Someone another system named: a logical reference by the identifier the import recorded in the directory of
     * external parties (they are not staff here and have no Practitioner resource of ours), else the name it gave.
     */
    static Reference party(Imported.Party p) {
        Reference r = new Reference().setDisplay(p.name()).setType(p.type());
        if (p.system() != null && p.value() != null) {
            r.setIdentifier(new Identifier().setSystem(p.system()).setValue(p.value()));
        }
        return r;
    }

    private static CodeableConcept concept(String system, String code, String display) {
        return new CodeableConcept().addCoding(new Coding(system, code, display));
    }

    /** A dosage's dose as text: its quantity ("500 mg"), else its text; null when it has neither. */
    static String dose(org.hl7.fhir.r4.model.Dosage dosage) {
        if (dosage.hasDoseAndRate() && dosage.getDoseAndRateFirstRep().hasDoseQuantity()
                && dosage.getDoseAndRateFirstRep().getDoseQuantity().hasValue()) {
            var q = dosage.getDoseAndRateFirstRep().getDoseQuantity();
            return q.getValue().stripTrailingZeros().toPlainString() + (q.hasUnit() ? " " + q.getUnit() : "");
        }
        return dosage.hasText() ? dosage.getText() : null;
    }

    /** A dosage's timing as text ("3 per 1 d"), else the patient instruction; null when its timing is incomplete. */
    static String frequency(org.hl7.fhir.r4.model.Dosage dosage) {
        var repeat = dosage.hasTiming() ? dosage.getTiming().getRepeat() : null;
        if (repeat != null && repeat.hasFrequency() && repeat.hasPeriod() && repeat.hasPeriodUnit()) {
            return repeat.getFrequency() + " per " + repeat.getPeriod().stripTrailingZeros().toPlainString() + " " + repeat.getPeriodUnit().toCode();
        }
        return dosage.hasPatientInstruction() ? dosage.getPatientInstruction() : null;
    }

    /** A FHIR date as a day, read from its text (a java.util.Date would shift with the server's time zone). */
    static LocalDate day(String fhirDate) {
        if (fhirDate == null || !fhirDate.matches("\\d{4}-\\d{2}-\\d{2}.*")) {
            throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("a full date is needed (YYYY-MM-DD), not " + fhirDate);
        }
        return LocalDate.parse(fhirDate.substring(0, 10));
    }
}
