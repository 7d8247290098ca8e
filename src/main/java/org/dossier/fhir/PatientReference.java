package org.dossier.fhir;

import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** The patient a request names: a resource's subject, or a search's {@code patient} parameter. */
final class PatientReference {

    private PatientReference() {
    }

    static long subject(org.hl7.fhir.r4.model.Reference reference) {
        var id = reference.getReferenceElement();
        if (!"Patient".equals(id.getResourceType()) || !id.isIdPartValidLong()) {
            throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("the patient must be a reference Patient/<id> of this server");
        }
        return id.getIdPartAsLong();
    }

    static long patientOf(ReferenceParam patient) {
        String id = patient.getIdPart();
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new InvalidRequestException("patient must be a Patient id, e.g. patient=Patient/123");
        }
        return Long.parseLong(id);
    }
}
