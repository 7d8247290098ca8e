package org.dossier.organization;

/** A unit or service of a facility (cardiology, emergency, …) with its bed count. */
public record CareUnit(int id, int facilityId, String code, String name, UnitKind kind, int beds) {
}
