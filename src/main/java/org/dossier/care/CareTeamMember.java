package org.dossier.care;

import java.time.Instant;

/** A staff member attached to a patient's care with a role, for a period. */
public record CareTeamMember(long id, int facilityId, long patientId, long staffId, String role, Instant periodStart,
                             Instant periodEnd, String status, int version) {
}
