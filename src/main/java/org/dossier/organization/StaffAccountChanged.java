package org.dossier.organization;

import java.time.Instant;

/** Published after any change to an account, so identity can end sessions of a disabled account. */
public record StaffAccountChanged(long staffId, StaffStatus status, int version, Long authorId, String reason, Instant at) {
}
