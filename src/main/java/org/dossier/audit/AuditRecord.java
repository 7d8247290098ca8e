package org.dossier.audit;

import java.time.Instant;

/**
 * One audit entry to append: who (actor, roles, session, address, client), what (action, patient,
 * resource, sections), the decision and its reason code, why (purpose of use) and which request.
 * One entry per patient touched (IHE BALP): a search returning 20 patients is 20 entries.
 */
public record AuditRecord(Instant recordedAt, Long actorId, String actorUsername, String actorRoles, Integer facilityId,
                          String sessionId, String sourceAddress, String userAgent, String action, Long patientId,
                          String resourceType, String resourceId, String sections, Decision decision, String reasonCode,
                          String purpose, String requestId, String detail) {

    /** ALLOW and DENY are access decisions; INFO records an event that decided nothing (a sign-in, a freeze). */
    public enum Decision { ALLOW, DENY, INFO }
}
