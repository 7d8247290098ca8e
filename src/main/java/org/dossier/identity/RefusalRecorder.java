package org.dossier.identity;

import jakarta.servlet.http.HttpServletRequest;
import org.dossier.platform.ForbiddenException;

/**
 * Puts a refusal decided in the security filters (before any controller) in the audit trail, as the web layer audits every
 * other refusal. Implemented where refusals are audited (the web module), so that sign-in does not depend on it.
 */
public interface RefusalRecorder {

    /** Audits {@code refusal} once as a DENY entry of this request (its actor, if any, in the request's actor attribute). */
    void refused(HttpServletRequest request, ForbiddenException refusal);
}
