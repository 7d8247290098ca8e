package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ReceivedRecord;
import org.dossier.clinical.ReceivedRecordService;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.SupplyDelivery;
import org.springframework.stereotype.Component;

import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The records other systems sent that Dossier keeps as sent (ADR 0026), served back as they came: DiagnosticReport,
 * CarePlan, Device, Provenance, ImagingStudy, MedicationAdministration, SupplyDelivery (DocumentReference and CareTeam
 * share their providers with Dossier's own documents and care teams). Read, vread, history, and search by patient (one gateway decision)
 * with the parameters each type has, and the includes of the patient's compartment ({@code *:patient}, a report's
 * {@code DiagnosticReport:result}) under that same decision. Their ids are {@code r<n>}: they never clash with a record
 * of Dossier's own.
 */
final class ReceivedProviders {

    private ReceivedProviders() {
    }

    /**
     * A received record as served: the resource as it was kept, with this server's id and version. The sender's
     * {@code meta} (profiles it claimed, its own version and time) is replaced: this server vouches for neither; tags and
     * security labels are kept.
     */
    static <T extends DomainResource> T served(ReceivedRecord r, Class<T> type) {
        T resource = FhirContext.forR4Cached().newJsonParser().parseResource(type, r.resource());
        resource.setId(r.fhirId());
        Meta meta = new Meta().setVersionId(Integer.toString(r.version()));
        resource.getMeta().getTag().forEach(meta::addTag);
        resource.getMeta().getSecurity().forEach(meta::addSecurity);
        resource.setMeta(meta);
        ImportOrigins.mark(resource, r);
        return resource;
    }

    /** A received record as served, of the type it was sent as. */
    static DomainResource served(ReceivedRecord r) {
        return served(r, FhirContext.forR4Cached().getResourceDefinition(r.resourceType()).getImplementingClass()
                .asSubclass(DomainResource.class));
    }

    /** The number of a received record's id ({@code r12}), or 404: no other id names one. */
    static long id(IIdType id) {
        String part = id == null ? null : id.getIdPart();
        if (part == null || !part.matches(ReceivedRecord.ID_PREFIX + "\\d{1,18}")) {
            throw new ResourceNotFoundException("No resource " + (id == null ? "" : id.getValue()));
        }
        return Long.parseLong(part.substring(ReceivedRecord.ID_PREFIX.length()));
    }

    static boolean isReceived(IIdType id) {
        return id != null && id.getIdPart() != null && id.getIdPart().matches(ReceivedRecord.ID_PREFIX + "\\d{1,18}");
    }

    /** A FHIR status as a concept of its code system, for token matching. */
    static List<CodeableConcept> status(Enumeration<?> status) {
        return List.of(FhirSearch.code(status == null || !status.hasValue() ? null : status.getSystem(),
                status == null ? null : status.getValueAsString()));
    }

    /** What every received type serves: read, vread and history; each subclass adds its search. */
    abstract static class Received<T extends DomainResource> implements IResourceProvider {
        final ReceivedRecordService records;
        final FhirCalls calls;
        private final CompartmentIncludes includes;
        private final Class<T> type;

        Received(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes, Class<T> type) {
            this.records = records;
            this.calls = calls;
            this.includes = includes;
            this.type = type;
        }

        @Override
        public Class<T> getResourceType() {
            return type;
        }

        /** Read, and vread of the versions kept. */
        @Read(version = true)
        public T read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return ClinicalProviders.version(history(id, request), id);
            }
            // The id is read within the call: one that cannot name a received record is a refusal, audited like any other.
            return calls.as(request, actor -> {
                var r = records.readDated(actor, type.getSimpleName(), ReceivedProviders.id(id));
                return ClinicalProviders.changedAt(served(r.record(), type), r.recordedAt());
            });
        }

        @History
        public List<T> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> records.history(actor, type.getSimpleName(), ReceivedProviders.id(id)).stream().map(v -> {
                T r = served(v.record(), type);
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /**
         * The patient's records of this type that {@code matches} keeps, newest first, and what the includes name: one
         * gateway decision (the chart opened once when includes are asked, as for Dossier's own records).
         */
        List<IBaseResource> search(ReferenceParam patient, Set<Include> include, Set<Include> revinclude, RequestDetails details,
                                   HttpServletRequest request, Predicate<T> matches) {
            long id = ClinicalProviders.patientOf(patient);
            String name = type.getSimpleName();
            return calls.as(request, actor -> {
                var found = includes.records(actor, id, include, revinclude, access -> records.ofPatient(access, List.of(name)),
                        () -> records.ofPatient(actor, id, name));
                List<T> kept = found.records().stream().map(r -> served(r, type)).filter(matches).toList();
                return includes.with(found, name, kept, include, revinclude, details);
            });
        }
    }

    @Component
    static class DiagnosticReportProvider extends Received<DiagnosticReport> {
        DiagnosticReportProvider(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes) {
            super(records, calls, includes, DiagnosticReport.class);
        }

        /** A patient's reports by {@code date} (effective, with prefixes), {@code category}, {@code code}, {@code status}. */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = DiagnosticReport.SP_PATIENT) ReferenceParam patient,
                                                @OptionalParam(name = DiagnosticReport.SP_DATE) DateAndListParam date,
                                                @OptionalParam(name = DiagnosticReport.SP_CATEGORY) TokenAndListParam category,
                                                @OptionalParam(name = DiagnosticReport.SP_CODE) TokenAndListParam code,
                                                @OptionalParam(name = DiagnosticReport.SP_STATUS) TokenAndListParam status,
                                                @IncludeParam Set<Include> include,
                @IncludeParam(reverse = true) Set<Include> revinclude, RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(category, code, status);
            return search(patient, include, revinclude, details, request, r -> FhirSearch.matches(date, FhirSearch.Span.of(r.getEffective()))
                    && FhirSearch.matches(category, r.getCategory()) && FhirSearch.matches(code, List.of(r.getCode()))
                    && FhirSearch.matches(status, status(r.getStatusElement())));
        }
    }

    @Component
    static class CarePlanProvider extends Received<CarePlan> {
        CarePlanProvider(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes) {
            super(records, calls, includes, CarePlan.class);
        }

        /** A patient's care plans by {@code date} (their period), {@code category}, {@code status}. */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = CarePlan.SP_PATIENT) ReferenceParam patient,
                                        @OptionalParam(name = CarePlan.SP_DATE) DateAndListParam date,
                                        @OptionalParam(name = CarePlan.SP_CATEGORY) TokenAndListParam category,
                                        @OptionalParam(name = CarePlan.SP_STATUS) TokenAndListParam status,
                                        @IncludeParam Set<Include> include,
                @IncludeParam(reverse = true) Set<Include> revinclude, RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(category, status);
            return search(patient, include, revinclude, details, request, r -> FhirSearch.matches(date, FhirSearch.Span.of(r.getPeriod()))
                    && FhirSearch.matches(category, r.getCategory()) && FhirSearch.matches(status, status(r.getStatusElement())));
        }
    }

    @Component
    static class DeviceProvider extends Received<Device> {
        DeviceProvider(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes) {
            super(records, calls, includes, Device.class);
        }

        /** A patient's devices by {@code type} and {@code status}. */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = Device.SP_PATIENT) ReferenceParam patient,
                                      @OptionalParam(name = Device.SP_TYPE) TokenAndListParam type,
                                      @OptionalParam(name = Device.SP_STATUS) TokenAndListParam status,
                                      @IncludeParam Set<Include> include,
                @IncludeParam(reverse = true) Set<Include> revinclude, RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(type, status);
            return search(patient, include, revinclude, details, request, r -> FhirSearch.matches(type, List.of(r.getType()))
                    && FhirSearch.matches(status, status(r.getStatusElement())));
        }
    }

    @Component
    static class ProvenanceProvider extends Received<Provenance> {
        ProvenanceProvider(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes) {
            super(records, calls, includes, Provenance.class);
        }

        /** The provenance other systems sent of a patient's records, by {@code recorded} (with prefixes). */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = Provenance.SP_PATIENT) ReferenceParam patient,
                                          @OptionalParam(name = Provenance.SP_RECORDED) DateAndListParam recorded,
                                          @IncludeParam Set<Include> include,
                @IncludeParam(reverse = true) Set<Include> revinclude, RequestDetails details, HttpServletRequest request) {
            return search(patient, include, revinclude, details, request, r -> FhirSearch.matches(recorded, FhirSearch.Span.of(r.getRecordedElement())));
        }
    }

    @Component
    static class ImagingStudyProvider extends Received<ImagingStudy> {
        ImagingStudyProvider(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes) {
            super(records, calls, includes, ImagingStudy.class);
        }

        /** A patient's imaging studies by {@code started} (with prefixes) and {@code status}. */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = ImagingStudy.SP_PATIENT) ReferenceParam patient,
                                            @OptionalParam(name = ImagingStudy.SP_STARTED) DateAndListParam started,
                                            @OptionalParam(name = ImagingStudy.SP_STATUS) TokenAndListParam status,
                                            @IncludeParam Set<Include> include,
                @IncludeParam(reverse = true) Set<Include> revinclude, RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(status);
            return search(patient, include, revinclude, details, request, r -> FhirSearch.matches(started, FhirSearch.Span.of(r.getStartedElement()))
                    && FhirSearch.matches(status, status(r.getStatusElement())));
        }
    }

    @Component
    static class MedicationAdministrationProvider extends Received<MedicationAdministration> {
        MedicationAdministrationProvider(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes) {
            super(records, calls, includes, MedicationAdministration.class);
        }

        /** A patient's administrations by {@code effective-time} (with prefixes), {@code code} (the drug) and {@code status}. */
        @Search
        public List<IBaseResource> byPatient(
                @RequiredParam(name = MedicationAdministration.SP_PATIENT) ReferenceParam patient,
                @OptionalParam(name = MedicationAdministration.SP_EFFECTIVE_TIME) DateAndListParam effective,
                @OptionalParam(name = MedicationAdministration.SP_CODE) TokenAndListParam code,
                @OptionalParam(name = MedicationAdministration.SP_STATUS) TokenAndListParam status,
                @IncludeParam Set<Include> include,
                @IncludeParam(reverse = true) Set<Include> revinclude, RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(code, status);
            return search(patient, include, revinclude, details, request, r -> FhirSearch.matches(effective, FhirSearch.Span.of(r.getEffective()))
                    && FhirSearch.matches(code, r.hasMedicationCodeableConcept() ? List.of(r.getMedicationCodeableConcept()) : List.of())
                    && FhirSearch.matches(status, List.of(FhirSearch.code("http://terminology.hl7.org/CodeSystem/medication-admin-status",
                    r.hasStatus() ? r.getStatusElement().getValueAsString() : null))));
        }
    }

    @Component
    static class SupplyDeliveryProvider extends Received<SupplyDelivery> {
        SupplyDeliveryProvider(ReceivedRecordService records, FhirCalls calls, CompartmentIncludes includes) {
            super(records, calls, includes, SupplyDelivery.class);
        }

        /** A patient's supply deliveries by {@code status}. */
        @Search
        public List<IBaseResource> byPatient(@RequiredParam(name = SupplyDelivery.SP_PATIENT) ReferenceParam patient,
                                              @OptionalParam(name = SupplyDelivery.SP_STATUS) TokenAndListParam status,
                                              @IncludeParam Set<Include> include,
                @IncludeParam(reverse = true) Set<Include> revinclude, RequestDetails details, HttpServletRequest request) {
            FhirSearch.check(status);
            return search(patient, include, revinclude, details, request, r -> FhirSearch.matches(status, status(r.getStatusElement())));
        }
    }
}
