package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ReceivedRecordService;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Provenance;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/** Provenance as another system sent it ({@link ReceivedProvider}), searched by patient and recorded. */
@Component
class ProvenanceProvider extends ReceivedProvider<Provenance> {
    ProvenanceProvider(ReceivedRecordService records, CompartmentIncludes includes) {
        super(records, includes, Provenance.class);
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
