package org.dossier.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.clinical.ReceivedRecordService;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Device;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/** Device as another system sent it ({@link ReceivedProvider}), searched by patient, type and status. */
@Component
class DeviceProvider extends ReceivedProvider<Device> {
    DeviceProvider(ReceivedRecordService records, CompartmentIncludes includes) {
        super(records, includes, Device.class);
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
