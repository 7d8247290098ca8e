package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * POST /fhir with a transaction or batch Bundle: an administrator's import of records from another system. The
 * response Bundle has one entry per request entry; the header {@code X-Dossier-Import-Report} counts what was
 * stored, not modelled, not applicable (a foreign payer's claims) and refused, per resource type.
 * <p>
 * The import is named in the audit trail, in {@code import_origin} and in the records' {@code meta.source} by the
 * SHA-256 of the bundle as sent ({@code sha256-<hex>}, a URI-safe name), never by the file name the client gives in
 * {@code X-Dossier-Import-Source}: Synthea names a patient's file after the patient, and the audit trail keeps patient
 * ids, not names (ADR 0053). The header is still accepted (older clients send it) and ignored; {@code sha256sum FILE}
 * finds the file an audit entry names.
 */
@Component
class ImportProvider {

    static final String REPORT_HEADER = "X-Dossier-Import-Report";
    static final String FACILITY_HEADER = "X-Dossier-Facility";
    /** Sent by older clients with the file's name; ignored, since a file's name may be the patient's (ADR 0053). */
    static final String SOURCE_HEADER = "X-Dossier-Import-Source";

    private static final Logger log = LoggerFactory.getLogger(ImportProvider.class);

    private final BundleImport imports;
    ImportProvider(BundleImport imports) {
        this.imports = imports;
    }

    @Transaction
    public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails details, HttpServletRequest request,
                              HttpServletResponse response) {
        Integer facility = null;
        String header = request.getHeader(FACILITY_HEADER);
        if (header != null) {
            if (!header.strip().matches("\\d{1,9}")) {
                throw new InvalidRequestException(FACILITY_HEADER + " must be a facility id, e.g. 1");
            }
            facility = Integer.parseInt(header.strip());
        }
        String what = contentName(details.loadRequestContents());
        BundleImport.Result result = imports.run(FhirActor.current(request), bundle, facility, what);
        String summary = result.report().summary();
        log.info("Import of {}: {}", what, summary);
        response.setHeader(REPORT_HEADER, summary.replaceAll("[\\r\\n]", " "));
        return result.response();
    }

    /** What names an import: the SHA-256 of the bundle's bytes as the client sent them (the body HAPI has already read). */
    static String contentName(byte[] body) {
        try {
            return "sha256-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0] : body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
