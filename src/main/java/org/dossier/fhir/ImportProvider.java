package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * POST /fhir with a transaction or batch Bundle: an administrator's import of records from another system. The
 * response Bundle has one entry per request entry; the header {@code X-Dossier-Import-Report} counts what was
 * stored, not modelled, not applicable (a foreign payer's claims) and refused, per resource type.
 */
@Component
class ImportProvider {

    static final String REPORT_HEADER = "X-Dossier-Import-Report";
    static final String FACILITY_HEADER = "X-Dossier-Facility";
    static final String SOURCE_HEADER = "X-Dossier-Import-Source";

    private static final Logger log = LoggerFactory.getLogger(ImportProvider.class);

    private final BundleImport imports;
    ImportProvider(BundleImport imports) {
        this.imports = imports;
    }

    @Transaction
    public Bundle transaction(@TransactionParam Bundle bundle, HttpServletRequest request, HttpServletResponse response) {
        Integer facility = null;
        String header = request.getHeader(FACILITY_HEADER);
        if (header != null) {
            if (!header.strip().matches("\\d{1,9}")) {
                throw new InvalidRequestException(FACILITY_HEADER + " must be a facility id, e.g. 1");
            }
            facility = Integer.parseInt(header.strip());
        }
        String source = request.getHeader(SOURCE_HEADER);
        String what = source == null || source.isBlank() ? "FHIR bundle" : source.strip();
        if (what.length() > 200) {
            throw new InvalidRequestException(SOURCE_HEADER + ": at most 200 characters (a file name, a batch label)");
        }
        Integer target = facility;
        BundleImport.Result result = imports.run(FhirActor.current(request), bundle, target, what);
        String summary = result.report().summary();
        log.info("Import of {}: {}", what, summary);
        response.setHeader(REPORT_HEADER, summary.replaceAll("[\\r\\n]", " "));
        return result.response();
    }
}
