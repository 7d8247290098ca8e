package org.dossier.care;

import java.time.Instant;

/** A booked slot of a practitioner's schedule for a patient. */
public record Appointment(long id, int facilityId, long patientId, long practitionerId, int unitId, Instant startAt,
                          Instant endAt, AppointmentStatus status, String reason, Long rescheduledFrom, String statusReason,
                          int version) {

    /** The patient id of a slot shown without its patient. */
    public static final long NOT_SHOWN = 0;

    /** This appointment as a booked slot: no patient, no reason, nothing that tells who. */
    public Appointment withoutPatient() {
        return new Appointment(id, facilityId, NOT_SHOWN, practitionerId, unitId, startAt, endAt, status, null, null, null, version);
    }

    public boolean patientShown() {
        return patientId != NOT_SHOWN;
    }
}
