package org.dossier.organization;

import java.time.Instant;

/** One recorded state of a staff account, with who made the change and why. */
public record StaffVersion(int version, Instant recordedAt, Long authorId, String reason, StaffMember account) {
}
