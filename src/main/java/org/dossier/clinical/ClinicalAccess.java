package org.dossier.clinical;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.PatientFacts;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.springframework.stereotype.Component;

/** The clinical record's doors to the gateway: every read and write names the patient and the resource. */
@Component
class ClinicalAccess {

    private final AccessGateway gateway;

    ClinicalAccess(AccessGateway gateway) {
        this.gateway = gateway;
    }

    /** Adding a record to an active patient's chart, by one of {@code roles}. */
    PatientFacts forWriting(Actor actor, long patientId, String resourceType, Role... roles) {
        return gateway.write(actor, patientId, Section.CLINICAL, "create", resourceType, null, roles).patient().requireActive();
    }

    /** Changing an existing record of the patient's chart, by one of {@code roles}. */
    void forChanging(Actor actor, long patientId, String resourceType, long id, Role... roles) {
        gateway.write(actor, patientId, Section.CLINICAL, "update", resourceType, id, roles);
    }

    /** Reading the patient's records of one kind. */
    PatientAccess forReading(Actor actor, long patientId, String resourceType) {
        return gateway.read(actor, patientId, Section.CLINICAL, resourceType, null);
    }

    /** One record, once the gateway allowed its patient's clinical section. */
    <T> T visible(Actor actor, long patientId, T record, String resourceType, long id) {
        gateway.read(actor, patientId, Section.CLINICAL, resourceType, id);
        return record;
    }
}
