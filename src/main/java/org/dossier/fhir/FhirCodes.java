package org.dossier.fhir;

import org.dossier.platform.Imported;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

import java.time.LocalDate;
import java.util.Date;

/**
 * The systems this facade speaks and the coded datatypes every resource's mapping shares (each resource's own mapping
 * sits beside its provider). Identifier systems: the IPP of each facility, the INS with its OID (NIR
 * 1.2.250.1.213.1.4.8, NIA 1.2.250.1.213.1.4.9), the RPPS of practitioners (1.2.250.1.71.4.2.1). Codes: ICD-10 for
 * problems, LOINC for observations, ATC for drugs and allergy substances when known.
 */
final class FhirCodes {

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

    private FhirCodes() {
    }

    /** Every coding the source sent, as sent; the text is ours (what the record shows). */
    static CodeableConcept codeable(Imported source, String text) {
        CodeableConcept c = new CodeableConcept().setText(text);
        if (source != null) {
            source.codings().forEach(x -> c.addCoding(new Coding(x.system(), x.code(), x.display())));
        }
        return c;
    }

    static CodeableConcept concept(Imported.Code code) {
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

    static CodeableConcept concept(String system, String code, String display) {
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

    /** Every coding the source sent, as sent (or the one coding kept when there is no source), and the text shown. */
    static CodeableConcept code(Imported source, String system, String code, String label) {
        CodeableConcept c = FhirCodes.codeable(source, label);
        if ((source == null || source.codings().isEmpty()) && code != null) {
            c.addCoding(new Coding(system, code, label));
        }
        return c;
    }
}
