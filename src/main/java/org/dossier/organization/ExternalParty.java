package org.dossier.organization;

/**
 * An organization, location or practitioner outside the group, known by an identifier of another system (an NPI,
 * a FINESS, a source system's id), that imported records refer to.
 */
public record ExternalParty(long id, Kind kind, String system, String value, String name, String detail) {

    public enum Kind { ORGANIZATION, LOCATION, PRACTITIONER }
}
