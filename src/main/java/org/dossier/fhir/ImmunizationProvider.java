package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ImmunizationService;
import org.dossier.platform.Imported;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.Date;
import java.util.List;

/**
 * Immunization: history another system sent, served back as sent (read, vread, history, search by patient and date),
 * and its mapping.
 */
@Component
class ImmunizationProvider extends VersionedProvider<Immunization, org.dossier.clinical.Immunization> {
    private final ImmunizationService immunizations;

    ImmunizationProvider(ImmunizationService immunizations) {
        super(Immunization.class, ImmunizationProvider::immunization, immunizations::readDated, immunizations::history);
        this.immunizations = immunizations;
    }

    /** A patient's immunizations, newest first, by {@code date} (when given, with its prefixes). */
    @Search
    public List<Immunization> byPatient(@RequiredParam(name = Immunization.SP_PATIENT) ReferenceParam patient,
                                        @OptionalParam(name = Immunization.SP_DATE) DateAndListParam date,
                                        HttpServletRequest request) {
        return ofPatient(patient, request, immunizations::ofPatient,
                i -> FhirSearch.matches(date, i.hasOccurrence() ? FhirSearch.Span.of(i.getOccurrence()) : null));
    }

    static Immunization immunization(org.dossier.clinical.Immunization i) {
        Immunization r = Versions.identified(new Immunization(), i.id(), i.version());
        r.setStatus(Immunization.ImmunizationStatus.fromCode(i.status()));
        r.setVaccineCode(FhirCodes.code(i.source(), i.codeSystem(), i.code(), i.label()));
        ImportOrigins.mark(r, i.source());
        r.setPatient(new Reference("Patient/" + i.patientId()));
        Imported source = i.source();
        if (source != null && source.start() != null) {
            r.setOccurrence(new DateTimeType(source.start()));
        } else if (i.occurredAt() != null) {
            r.setOccurrence(new DateTimeType(Date.from(i.occurredAt())));
        }
        if (source != null) {
            if (source.recorded() != null) {
                r.setRecordedElement(new DateTimeType(source.recorded()));
            }
            // primarySource travels in the source's verification slot: it says whether the record comes from who gave it.
            if (source.verification() != null) {
                r.setPrimarySource(Boolean.parseBoolean(source.verification()));
            }
            if (source.party() != null) {
                r.addPerformer().setActor(FhirCodes.party(source.party()));
            }
        }
        return r;
    }
}
