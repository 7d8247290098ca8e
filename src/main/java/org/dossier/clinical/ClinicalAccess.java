package org.dossier.clinical;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.springframework.stereotype.Component;

/**
 * The clinical record's doors to the gateway: every read and write names the patient and the resource. A change is
 * decided (and audited) as the change it is, with the record's version before and after in the entry's detail.
 */
@Component
class ClinicalAccess {

    /** The actions a change of the clinical record is audited as. */
    static final AuditAction CREATE = AuditAction.CREATE, UPDATE = AuditAction.UPDATE, AMEND = AuditAction.AMEND,
            SIGN = AuditAction.SIGN, STATUS = AuditAction.STATUS, ENTERED_IN_ERROR = AuditAction.ENTERED_IN_ERROR;

    private final AccessGateway gateway;

    ClinicalAccess(AccessGateway gateway) {
        this.gateway = gateway;
    }

    /**
     * Adding a record to an active patient's chart, by one of {@code roles}: audited as a create of version 1. The proof
     * names the patient and facility the new row is written for.
     */
    PatientAccess forWriting(Actor actor, long patientId, AuditResource resourceType, Role... roles) {
        PatientAccess granted = gateway.write(actor, patientId, Section.CLINICAL, CREATE, resourceType, null, "version 1", roles);
        granted.patient().requireActive();
        return granted;
    }

    /**
     * Changing an existing record of the patient's chart, by one of {@code roles}: audited as {@code action} on the record,
     * described by {@code change} (its version going from one to the next, or an amendment naming the new record).
     */
    PatientAccess forChanging(Actor actor, long patientId, AuditResource resourceType, long id, AuditAction action, String change, Role... roles) {
        return gateway.write(actor, patientId, Section.CLINICAL, action, resourceType, id, change, roles);
    }

    static String versions(int fromVersion) {
        return "version " + fromVersion + " -> " + (fromVersion + 1);
    }

    /** Reading the patient's records of one kind. */
    PatientAccess forReading(Actor actor, long patientId, AuditResource resourceType) {
        return gateway.read(actor, patientId, Section.CLINICAL, resourceType, null);
    }

    /** Reading one record of the patient's, located before: the proof its read takes. */
    PatientAccess forReading(Actor actor, long patientId, AuditResource resourceType, long id) {
        return gateway.read(actor, patientId, Section.CLINICAL, resourceType, id);
    }
}
