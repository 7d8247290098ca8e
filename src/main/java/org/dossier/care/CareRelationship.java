package org.dossier.care;

/** The strongest relationship linking a staff member to a patient at a time, and the record that establishes it. */
public record CareRelationship(RelationshipReason reason, String sourceType, long sourceId) {
}
