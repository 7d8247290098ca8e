package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
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
 *
 * <p>What every received type serves: read, vread and history; each subclass adds its search.
 */
abstract class ReceivedProvider<T extends DomainResource> extends VersionedProvider<T, ReceivedRecord> {
    private final CompartmentIncludes includes;
    private final ReceivedRecordService records;
    private final Class<T> type;

    ReceivedProvider(ReceivedRecordService records, CompartmentIncludes includes, Class<T> type) {
        super(type, r -> served(r, type), (actor, id) -> records.readDated(actor, type.getSimpleName(), id),
                (actor, id) -> records.history(actor, type.getSimpleName(), id));
        this.records = records;
        this.includes = includes;
        this.type = type;
    }

    /** The number of an {@code r<n>} id: one that cannot name a received record is a refusal, audited like any other. */
    @Override
    long idOf(IdType id) {
        return id(id);
    }

    /**
     * The patient's records of this type that {@code matches} keeps, newest first, and what the includes name: one
     * gateway decision (the chart opened once when includes are asked, as for Dossier's own records).
     */
    List<IBaseResource> search(ReferenceParam patient, Set<Include> include, Set<Include> revinclude, RequestDetails details,
                               HttpServletRequest request, Predicate<T> matches) {
        String name = type.getSimpleName();
        return compartment(includes, patient, include, revinclude, details, request,
                access -> records.ofPatient(access, List.of(name)), (actor, id) -> records.ofPatient(actor, id, name), matches);
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
}
