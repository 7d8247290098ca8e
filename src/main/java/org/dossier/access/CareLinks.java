package org.dossier.access;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** Implemented by the care module: the strongest care relationship between a staff member and a patient now. */
public interface CareLinks {

    /** A relationship: its reason code, and whether it is strong enough for a restricted record (attending, unit, care team). */
    record Link(String reasonCode, boolean strong) {
    }

    Optional<Link> between(long staffId, Set<Integer> unitIds, long patientId, Instant at);
}
