package org.dossier.fhir;

import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.instance.model.api.IIdType;

/** What a request says about the record it names: its id, the version it changes (If-Match) and why it changes it. */
final class FhirIds {

    /** The header carrying why a record is changed (FHIR has no place for it; the record's history keeps it). */
    static final String CHANGE_REASON = "X-Dossier-Change-Reason";

    private FhirIds() {
    }

    /** A FHIR id as one of our numeric ids, or 404: no other id exists here. */
    static long id(IIdType id) {
        if (id == null || !id.hasIdPart() || !id.isIdPartValidLong()) {
            throw new ResourceNotFoundException(id == null ? "No id" : "No resource " + id.getValue());
        }
        return id.getIdPartAsLong();
    }

    /** The version an update is made against, from If-Match; an update without it could overwrite unseen changes. */
    static int expectedVersion(IIdType id) {
        if (id == null || !id.hasVersionIdPart() || !id.getVersionIdPart().matches("\\d{1,9}")) {
            throw new PreconditionFailedException("Send the version you are changing: If-Match: W/\"<version>\" (from meta.versionId)");
        }
        return Integer.parseInt(id.getVersionIdPart());
    }

    /** Why a record is changed, required ({@value #CHANGE_REASON}): FHIR has no place for it, the record's history keeps it. */
    static String changeReason(HttpServletRequest request) {
        String reason = request.getHeader(CHANGE_REASON);
        if (reason == null || reason.isBlank()) {
            throw new UnprocessableEntityException(CHANGE_REASON + ": say why the record changes (the header is required; "
                    + "the record's history keeps it)");
        }
        return reason;
    }
}
