package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ProcedureService;
import org.dossier.platform.Imported;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.Date;
import java.util.List;

/**
 * Procedure: history another system sent, served back as sent (read, vread, history, search by patient and date), and
 * its mapping.
 */
@Component
class ProcedureProvider extends VersionedProvider<Procedure, org.dossier.clinical.Procedure> {
    private final ProcedureService procedures;

    ProcedureProvider(ProcedureService procedures) {
        super(Procedure.class, ProcedureProvider::procedure, procedures::readDated, procedures::history);
        this.procedures = procedures;
    }

    /** A patient's procedures, newest first, by {@code date} (when performed, with its prefixes). */
    @Search
    public List<Procedure> byPatient(@RequiredParam(name = Procedure.SP_PATIENT) ReferenceParam patient,
                                     @OptionalParam(name = Procedure.SP_DATE) DateAndListParam date,
                                     HttpServletRequest request) {
        return ofPatient(patient, request, procedures::ofPatient,
                p -> FhirSearch.matches(date, p.hasPerformed() ? FhirSearch.Span.of(p.getPerformed()) : null));
    }

    static Procedure procedure(org.dossier.clinical.Procedure p) {
        Procedure r = Versions.identified(new Procedure(), p.id(), p.version());
        r.setStatus(Procedure.ProcedureStatus.fromCode(p.status()));
        r.setCode(FhirCodes.code(p.source(), p.codeSystem(), p.code(), p.label()));
        ImportOrigins.mark(r, p.source());
        if (p.source() != null && !p.source().categories().isEmpty()) {
            CodeableConcept category = r.getCategory();
            p.source().categories().forEach(c -> category.addCoding(new Coding(c.system(), c.code(), c.display())));
        }
        r.setSubject(new Reference("Patient/" + p.patientId()));
        Imported source = p.source();
        if (source != null && source.start() != null) {
            // A period when the source sent one (it has an end), else the instant it sent, as text: precision and offset kept.
            r.setPerformed(source.end() != null ? new Period().setStartElement(new DateTimeType(source.start()))
                    .setEndElement(new DateTimeType(source.end())) : new DateTimeType(source.start()));
        } else if (p.performedStart() != null) {
            r.setPerformed(p.performedEnd() != null ? new Period().setStart(Date.from(p.performedStart())).setEnd(Date.from(p.performedEnd()))
                    : new DateTimeType(Date.from(p.performedStart())));
        }
        if (source != null && source.party() != null) {
            r.addPerformer().setActor(FhirCodes.party(source.party()));
        }
        return r;
    }
}
