package org.dossier.organization;

/** A hospital of the group, identified nationally by its FINESS number. */
public record Facility(int id, String finess, String name, String city) {
}
