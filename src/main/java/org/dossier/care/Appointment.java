package org.dossier.care;

import java.time.Instant;

/** A booked slot of a practitioner's schedule for a patient. */
public record Appointment(long id, int facilityId, long patientId, long practitionerId, int unitId, Instant startAt,
                          Instant endAt, AppointmentStatus status, String reason, Long rescheduledFrom, String statusReason,
                          int version) {
}
