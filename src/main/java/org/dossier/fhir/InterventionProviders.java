package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ImmunizationService;
import org.dossier.clinical.ProcedureService;
import org.dossier.platform.Imported;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.Date;
import java.util.List;

/**
 * Procedure and Immunization: history another system sent, served back as it was sent (every coding, status, dates
 * with their precision and offset, the performer). Read, vread, history, and search by patient and {@code date}
 * (with its prefixes), each search one gateway decision about that patient.
 */
final class InterventionProviders {

    private InterventionProviders() {
    }

    static Procedure procedure(org.dossier.clinical.Procedure p) {
        Procedure r = new Procedure();
        r.setId(Long.toString(p.id()));
        r.getMeta().setVersionId(Integer.toString(p.version()));
        r.setStatus(Procedure.ProcedureStatus.fromCode(p.status()));
        r.setCode(code(p.source(), p.codeSystem(), p.code(), p.label()));
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
            r.addPerformer().setActor(FhirMapping.party(source.party()));
        }
        return r;
    }

    static Immunization immunization(org.dossier.clinical.Immunization i) {
        Immunization r = new Immunization();
        r.setId(Long.toString(i.id()));
        r.getMeta().setVersionId(Integer.toString(i.version()));
        r.setStatus(Immunization.ImmunizationStatus.fromCode(i.status()));
        r.setVaccineCode(code(i.source(), i.codeSystem(), i.code(), i.label()));
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
                r.addPerformer().setActor(FhirMapping.party(source.party()));
            }
        }
        return r;
    }

    /** Every coding the source sent, as sent (or the one coding kept when there is no source), and the text shown. */
    private static CodeableConcept code(Imported source, String system, String code, String label) {
        CodeableConcept c = FhirMapping.codeable(source, label);
        if ((source == null || source.codings().isEmpty()) && code != null) {
            c.addCoding(new Coding(system, code, label));
        }
        return c;
    }

    @Component
    static class ProcedureProvider implements IResourceProvider {
        private final ProcedureService procedures;
        private final FhirCalls calls;

        ProcedureProvider(ProcedureService procedures, FhirCalls calls) {
            this.procedures = procedures;
            this.calls = calls;
        }

        @Override
        public Class<Procedure> getResourceType() {
            return Procedure.class;
        }

        /** Read, and vread of the versions we keep. */
        @Read(version = true)
        public Procedure read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return ClinicalProviders.version(history(id, request), id);
            }
            return calls.as(request, actor -> {
                var p = procedures.readDated(actor, FhirCalls.id(id));
                return ClinicalProviders.changedAt(procedure(p.record()), p.recordedAt());
            });
        }

        @History
        public List<Procedure> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> procedures.history(actor, FhirCalls.id(id)).stream().map(v -> {
                Procedure r = procedure(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /** A patient's procedures, newest first, by {@code date} (when performed, with its prefixes). */
        @Search
        public List<Procedure> byPatient(@RequiredParam(name = Procedure.SP_PATIENT) ReferenceParam patient,
                                         @OptionalParam(name = Procedure.SP_DATE) DateAndListParam date,
                                         HttpServletRequest request) {
            return calls.as(request, actor -> procedures.ofPatient(actor, ClinicalProviders.patientOf(patient)).stream()
                    .map(InterventionProviders::procedure)
                    .filter(p -> FhirSearch.matches(date, p.hasPerformed() ? FhirSearch.Span.of(p.getPerformed()) : null))
                    .toList());
        }
    }

    @Component
    static class ImmunizationProvider implements IResourceProvider {
        private final ImmunizationService immunizations;
        private final FhirCalls calls;

        ImmunizationProvider(ImmunizationService immunizations, FhirCalls calls) {
            this.immunizations = immunizations;
            this.calls = calls;
        }

        @Override
        public Class<Immunization> getResourceType() {
            return Immunization.class;
        }

        /** Read, and vread of the versions we keep. */
        @Read(version = true)
        public Immunization read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return ClinicalProviders.version(history(id, request), id);
            }
            return calls.as(request, actor -> {
                var i = immunizations.readDated(actor, FhirCalls.id(id));
                return ClinicalProviders.changedAt(immunization(i.record()), i.recordedAt());
            });
        }

        @History
        public List<Immunization> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> immunizations.history(actor, FhirCalls.id(id)).stream().map(v -> {
                Immunization r = immunization(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /** A patient's immunizations, newest first, by {@code date} (when given, with its prefixes). */
        @Search
        public List<Immunization> byPatient(@RequiredParam(name = Immunization.SP_PATIENT) ReferenceParam patient,
                                            @OptionalParam(name = Immunization.SP_DATE) DateAndListParam date,
                                            HttpServletRequest request) {
            return calls.as(request, actor -> immunizations.ofPatient(actor, ClinicalProviders.patientOf(patient)).stream()
                    .map(InterventionProviders::immunization)
                    .filter(i -> FhirSearch.matches(date, i.hasOccurrence() ? FhirSearch.Span.of(i.getOccurrence()) : null))
                    .toList());
        }
    }
}
