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
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/**
 * MedicationAdministration as another system sent it ({@link ReceivedProvider}), searched by patient, effective-time,
 * code and status.
 */
@Component
class MedicationAdministrationProvider extends ReceivedProvider<MedicationAdministration> {
    MedicationAdministrationProvider(ReceivedRecordService records, CompartmentIncludes includes) {
        super(records, includes, MedicationAdministration.class);
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
