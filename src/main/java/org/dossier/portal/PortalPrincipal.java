package org.dossier.portal;

import java.io.Serializable;
import java.time.Instant;

/**
 * The patient signed in to the portal, as kept in the portal's own security context of the session: their account, and
 * the one record it opens. Never a staff principal: the staff chain neither reads this context nor accepts its role.
 * {@code label} names the account in the trail ("portal-account-12"): the session, kept in the database, holds no username
 * the patient chose (ADR 0058).
 */
public record PortalPrincipal(long accountId, String label, long patientId, int facilityId, Instant secondFactorAt)
        implements Serializable {
}
