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
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/**
 * DiagnosticReport as another system sent it ({@link ReceivedProvider}), searched by patient, date, category, code
 * and status.
 */
@Component
class DiagnosticReportProvider extends ReceivedProvider<DiagnosticReport> {
    DiagnosticReportProvider(ReceivedRecordService records, CompartmentIncludes includes) {
        super(records, includes, DiagnosticReport.class);
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
