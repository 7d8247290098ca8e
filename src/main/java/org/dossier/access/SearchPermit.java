package org.dossier.access;

import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;

import java.util.Set;

/**
 * Proof that the gateway let an actor look for patients (a search, a census, an agenda, a work queue) before any row is
 * read: the query reads only the facilities it names, and what it finds still goes through
 * {@link AccessGateway#searched} or {@link AccessGateway#listed} (audited and charged one patient at a time) before it
 * leaves the service. Only {@link AccessGateway} makes one.
 */
public final class SearchPermit {

    private final Actor actor;
    private final AuditResource resourceType;

    SearchPermit(Actor actor, AuditResource resourceType) {
        this.actor = actor;
        this.resourceType = resourceType;
    }

    public Actor actor() {
        return actor;
    }

    public AuditResource resourceType() {
        return resourceType;
    }

    /** The facilities the query may read: the actor's own. */
    public Set<Integer> facilityIds() {
        return actor.facilityIds();
    }
}
