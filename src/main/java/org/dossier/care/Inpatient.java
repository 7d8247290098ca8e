package org.dossier.care;

import java.time.Instant;

/** A patient currently in a unit: the unit census that nurses and physicians work from. */
public record Inpatient(long patientId, long stayId, StayKind kind, int unitId, String bed, Instant since, long attendingId) {
}
