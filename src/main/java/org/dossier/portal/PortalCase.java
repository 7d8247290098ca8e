package org.dossier.portal;

import java.time.Instant;
import java.util.List;

/**
 * A case a patient opened about accesses to their record they do not recognise: the audit entries it is about (with their
 * sequence numbers in the chained trail), what the patient wrote, and the security officer's outcome once closed. A case the
 * system opened has a {@code systemReason} (its note is the officer's) and names the staff account that issued the code.
 */
public record PortalCase(long id, long patientId, int facilityId, String patientNote, Instant openedAt, Status status, Outcome outcome,
                         String outcomeNote, Long closedBy, Instant closedAt, List<Evidence> evidence, String systemReason, Long issuedBy) {

    public enum Status { OPEN, CLOSED }

    /** What the officer found: the access was part of care, it was a misuse (and is dealt with), or it cannot be told. */
    public enum Outcome { LEGITIMATE, MISUSE, UNDETERMINED }

    /** One access the case is about, as the trail holds it. */
    public record Evidence(long auditSeq, Instant recordedAt, Long staffId, String staffRoles, String reasonCode, String channel) {
    }

    /** The staff accounts the case names, for their exposure reports. */
    public List<Long> staffIds() {
        return evidence.stream().map(Evidence::staffId).filter(java.util.Objects::nonNull).filter(id -> id > 0).distinct().toList();
    }
}
