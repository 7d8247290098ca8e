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
import org.hl7.fhir.r4.model.CarePlan;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/** CarePlan as another system sent it ({@link ReceivedProvider}), searched by patient, date, category and status. */
@Component
class CarePlanProvider extends ReceivedProvider<CarePlan> {
    CarePlanProvider(ReceivedRecordService records, CompartmentIncludes includes) {
        super(records, includes, CarePlan.class);
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
