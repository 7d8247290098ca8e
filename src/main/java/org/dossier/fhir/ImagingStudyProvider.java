package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ReceivedRecordService;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/** ImagingStudy as another system sent it ({@link ReceivedProvider}), searched by patient, started and status. */
@Component
class ImagingStudyProvider extends ReceivedProvider<ImagingStudy> {
    ImagingStudyProvider(ReceivedRecordService records, CompartmentIncludes includes) {
        super(records, includes, ImagingStudy.class);
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
