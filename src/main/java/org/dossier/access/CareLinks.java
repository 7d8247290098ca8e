package org.dossier.access;

import org.dossier.audit.AuditReason;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Implemented by the care module: what in a staff member's work of the day explains showing them a patient — for a
 * clinician the strongest care relationship, for the front desk and billing their present work (ADR 0018).
 */
public interface CareLinks {

    /** A relationship: its reason code, and whether it is strong enough for a restricted record (attending, unit, care team). */
    record Link(AuditReason reasonCode, boolean strong) {
    }

    /** Whose work: the staff member, their units and facilities, and which kinds of work their roles do. */
    record Worker(long staffId, Set<Integer> unitIds, Set<Integer> facilityIds, boolean clinical, boolean desk, boolean billing) {
    }

    Optional<Link> between(long staffId, Set<Integer> unitIds, long patientId, Instant at);

    /**
     * The work of the day around {@code at} (ADR 0018), and the link a relationship reason of the SQL function
     * {@code care_relationship} stands for: what the gateway needs to read the relationship in its own statement.
     */
    WorkDays workDays(Instant at);

    Link link(String relationshipReason);

    /** A half-open period: from the start of yesterday to the start of the day after tomorrow, in the hospital's time zone. */
    record WorkDays(Instant from, Instant to) {
    }

    /** For each of the patients the worker's work explains at {@code at}, its reason code; the others are absent. */
    Map<Long, AuditReason> explain(Worker worker, Collection<Long> patientIds, Instant at);
}
