package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.ReferenceParam;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.care.SchedulingService;
import org.dossier.organization.Actor;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.Date;
import java.util.List;

/**
 * Appointment: bookings through the scheduling service (read, vread, history, create, search by patient), and their
 * mapping.
 */
@Component
class AppointmentProvider extends VersionedProvider<Appointment, org.dossier.care.Appointment> {
    private final SchedulingService scheduling;

    AppointmentProvider(SchedulingService scheduling) {
        super(Appointment.class, AppointmentProvider::appointment, scheduling::readDated, scheduling::history);
        this.scheduling = scheduling;
    }

    /**
     * Books an appointment (front desk, or a clinician): the patient and the practitioner as participants, the
     * start in one of the practitioner's free slots, the reason as {@code description} (or a reason code's text).
     */
    @ca.uhn.fhir.rest.annotation.Create
    public ca.uhn.fhir.rest.api.MethodOutcome create(@ca.uhn.fhir.rest.annotation.ResourceParam Appointment r, HttpServletRequest request) {
        Long patient = null;
        Long practitioner = null;
        for (var p : r.getParticipant()) {
            var ref = p.getActor().getReferenceElement();
            if ("Patient".equals(ref.getResourceType()) && ref.isIdPartValidLong()) {
                patient = ref.getIdPartAsLong();
            } else if ("Practitioner".equals(ref.getResourceType()) && ref.isIdPartValidLong()) {
                practitioner = ref.getIdPartAsLong();
            }
        }
        if (patient == null || practitioner == null) {
            throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                    "participant: a Patient/<id> and a Practitioner/<id> of this server are required");
        }
        if (!r.hasStart()) {
            throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("start is required");
        }
        String reason = r.hasDescription() ? r.getDescription() : r.hasReasonCode() ? r.getReasonCodeFirstRep().getText() : null;
        Long who = patient;
        Long with = practitioner;
        Actor actor = FhirActor.current(request);
        return Outcomes.created(appointment(scheduling.book(actor, who, with,
                r.getStart().toInstant(), reason)));
    }

    @Search
    public List<Appointment> byPatient(@RequiredParam(name = Appointment.SP_PATIENT) ReferenceParam patient, HttpServletRequest request) {
        return ofPatient(patient, request, scheduling::ofPatient, a -> true);
    }

    static Appointment appointment(org.dossier.care.Appointment a) {
        Appointment r = Versions.identified(new Appointment(), a.id(), a.version());
        r.setStatus(switch (a.status()) {
            case BOOKED -> Appointment.AppointmentStatus.BOOKED;
            case CANCELLED, RESCHEDULED -> Appointment.AppointmentStatus.CANCELLED;
            case NO_SHOW -> Appointment.AppointmentStatus.NOSHOW;
            case COMPLETED -> Appointment.AppointmentStatus.FULFILLED;
        });
        r.setStart(Date.from(a.startAt()));
        r.setEnd(Date.from(a.endAt()));
        r.setDescription(a.reason());
        r.addParticipant().setActor(new Reference("Patient/" + a.patientId())).setStatus(Appointment.ParticipationStatus.ACCEPTED);
        r.addParticipant().setActor(new Reference("Practitioner/" + a.practitionerId())).setStatus(Appointment.ParticipationStatus.ACCEPTED);
        r.addParticipant().setActor(new Reference("Location/" + a.unitId())).setStatus(Appointment.ParticipationStatus.ACCEPTED);
        return r;
    }
}
