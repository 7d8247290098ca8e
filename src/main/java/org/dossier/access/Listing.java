package org.dossier.access;

import org.dossier.organization.Actor;

import java.util.List;
import java.util.Set;

/**
 * Proof that the gateway audited a list of patients (a census, an agenda, a care-team list) as shown to an actor,
 * identity included: a screen that names the patients of a work list may read their labels with it, and no others.
 * Only {@link AccessGateway} makes one.
 */
public final class Listing {

    private final Actor actor;
    private final Set<Long> patientIds;

    Listing(Actor actor, Set<Long> patientIds) {
        this.actor = actor;
        this.patientIds = Set.copyOf(patientIds);
    }

    public Actor actor() {
        return actor;
    }

    public Set<Long> patientIds() {
        return patientIds;
    }

    /** The proof of a list and its items, as a service returns them together. */
    public record Of<T>(List<T> items, Listing listing) {
    }
}
