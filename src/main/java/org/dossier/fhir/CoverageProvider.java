package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.organization.Actor;
import org.dossier.patient.PatientData;
import org.dossier.patient.PatientService;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/** Coverage: a patient's health insurance (AMO, AMC) read from the patient's record, and its mapping. */
@Component
class CoverageProvider extends TypedProvider<Coverage> {
    private final PatientService patients;

    CoverageProvider(PatientService patients) {
        super(Coverage.class);
        this.patients = patients;
    }

    /** Coverage/123-amo is Patient/123's compulsory insurance (AMO), Coverage/123-amc the complementary one. */
    @Read
    public Coverage read(@IdParam IdType id, HttpServletRequest request) {
        CompoundId cid = compoundId(id, "(amo|amc)", "coverage ids are <patient id>-amo or <patient id>-amc", request);
        return named(coverages(patients.read(cid.actor(), cid.number())), cid.part());
    }

    @Search
    public List<Coverage> byBeneficiary(@OptionalParam(name = Coverage.SP_BENEFICIARY) ReferenceParam beneficiary,
                                        @OptionalParam(name = Coverage.SP_PATIENT) ReferenceParam patient, HttpServletRequest request) {
        ReferenceParam who = beneficiary != null ? beneficiary : patient;
        if (who == null) {
            throw new InvalidRequestException("Coverage searches start from a patient: beneficiary=Patient/<id> (or patient=)");
        }
        long id = PatientReference.patientOf(who);
        Actor actor = FhirActor.current(request);
        return coverages(patients.read(actor, id));
    }

    /** What the gateway let the reader see: coverage is empty to a role that does not see it. */
    static List<Coverage> coverages(org.dossier.patient.Patient p) {
        PatientData.Coverage c = p.data().coverage();
        List<Coverage> out = new ArrayList<>();
        if (c == null) {
            return out;
        }
        Period rights = new Period();
        if (c.validFrom() != null) {
            rights.setStartElement(new org.hl7.fhir.r4.model.DateTimeType(c.validFrom().toString()));
        }
        if (c.validTo() != null) {
            rights.setEndElement(new org.hl7.fhir.r4.model.DateTimeType(c.validTo().toString()));
        }
        Coverage amo = new Coverage();
        amo.setId(p.id() + "-amo");
        amo.setStatus(Coverage.CoverageStatus.ACTIVE);
        amo.setType(new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PUBLICPOL",
                "public healthcare")).setText("Assurance maladie obligatoire"));
        amo.addIdentifier(new Identifier().setSystem(NIR_OID).setValue(c.nir()));
        amo.setSubscriberId(c.nir());
        amo.setBeneficiary(new Reference("Patient/" + p.id()));
        amo.setRelationship(new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                "self", "Self")));
        amo.addPayor(new Reference().setIdentifier(new Identifier().setSystem(AMO_FUND)
                .setValue(c.amoScheme() + "-" + c.amoFund() + "-" + c.amoCentre())).setDisplay("Caisse " + c.amoScheme() + " " + c.amoFund()));
        if (rights.hasStart() || rights.hasEnd()) {
            amo.setPeriod(rights);
        }
        out.add(amo);
        if (c.amcName() != null) {
            Coverage amc = new Coverage();
            amc.setId(p.id() + "-amc");
            amc.setStatus(Coverage.CoverageStatus.ACTIVE);
            amc.setType(new CodeableConcept().setText("Assurance maladie complémentaire"));
            if (c.amcNumber() != null) {
                amc.setSubscriberId(c.amcNumber());
            }
            amc.setBeneficiary(new Reference("Patient/" + p.id()));
            amc.addPayor(new Reference().setDisplay(c.amcName()));
            amc.setOrder(2);
            out.add(amc);
        }
        return out;
    }

    static final String NIR_OID = "urn:oid:1.2.250.1.213.1.4.8";
    static final String AMO_FUND = "https://dossier.example/fhir/sid/amo-fund";
}
