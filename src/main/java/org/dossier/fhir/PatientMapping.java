package org.dossier.fhir;

import org.dossier.patient.PatientData;
import org.dossier.patient.PatientSearchResult;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;

import java.util.Arrays;
import java.util.List;

/** A patient's record as a FHIR Patient, and a FHIR Patient as the registry's record to register. */
final class PatientMapping {

    private PatientMapping() {
    }

    static Patient patient(org.dossier.patient.Patient p) {
        PatientData d = p.data();
        Patient r = Versions.identified(new Patient(), p.id(), p.version(), p.updatedAt());
        r.addIdentifier(ipp(p.facilityId(), p.ipp()));
        if (d.insMatricule() != null) {
            r.addIdentifier().setUse(Identifier.IdentifierUse.OFFICIAL)
                    .setType(new CodeableConcept().addCoding(new Coding(FhirCodes.V2_0203, "NI", "National unique individual identifier")))
                    .setSystem("urn:oid:" + (d.insOid() == null ? FhirCodes.INS_NIR_OID : d.insOid())).setValue(d.insMatricule());
        }
        r.setActive(p.status() == org.dossier.patient.PatientStatus.ACTIVE);
        HumanName official = r.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(d.birthFamilyName());
        Arrays.stream(d.givenNames().split(" ")).filter(g -> !g.isBlank()).forEach(official::addGiven);
        if (d.usedName() != null) {
            HumanName usual = r.addName().setUse(HumanName.NameUse.USUAL).setFamily(d.usedName());
            Arrays.stream(d.givenNames().split(" ")).filter(g -> !g.isBlank()).findFirst().ifPresent(usual::addGiven);
        }
        r.setGender(gender(d.sex()));
        if (d.birthDate() != null) {
            // a crypto-shredded patient (ADR 0047) has no birth date any more
            r.setBirthDateElement(new DateType(d.birthDate().toString()));
        }
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
                r.hasBirthDate() ? FhirCodes.day(r.getBirthDateElement().getValueAsString()) : null, sex, null, ins, insOid,
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
                .setType(new CodeableConcept().addCoding(new Coding(FhirCodes.V2_0203, "PI", "Patient internal identifier")))
                .setSystem(FhirCodes.IPP_SYSTEM + "/" + facilityId).setValue(ipp);
    }

    private static Enumerations.AdministrativeGender gender(org.dossier.patient.Sex sex) {
        return switch (sex) {
            case F -> Enumerations.AdministrativeGender.FEMALE;
            case M -> Enumerations.AdministrativeGender.MALE;
            default -> Enumerations.AdministrativeGender.UNKNOWN;
        };
    }
}
