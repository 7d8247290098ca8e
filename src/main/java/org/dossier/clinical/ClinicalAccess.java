package org.dossier.clinical;

import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.patient.PatientRef;
import org.dossier.patient.PatientService;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Component;

/** Who may read and write the clinical record, until the access gateway decides it per patient. */
@Component
class ClinicalAccess {

    private final PatientService patients;

    ClinicalAccess(PatientService patients) {
        this.patients = patients;
    }

    PatientRef forWriting(Actor actor, long patientId, String action, Role... roles) {
        actor.requireAnyRole(action, roles);
        return patients.activeReference(actor, patientId);
    }

    PatientRef forReading(Actor actor, long patientId) {
        requireReader(actor);
        return patients.reference(actor, patientId);
    }

    void requireReader(Actor actor) {
        actor.requireAnyRole("see clinical data", Role.PHYSICIAN, Role.NURSE);
    }

    /** A record of a facility the actor does not work in is answered as missing. */
    static <T> T visible(Actor actor, int facilityId, T record, String what, long id) {
        if (!actor.worksIn(facilityId)) {
            throw new NotFoundException("No " + what + " " + id);
        }
        return record;
    }
}
