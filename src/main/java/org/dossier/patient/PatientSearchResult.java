package org.dossier.patient;

/**
 * What a search reveals about each match: enough to pick the right person, not a chart. Opening the
 * chart is a separate request and a separate access decision.
 */
public record PatientSearchResult(long id, int facilityId, String ipp, String birthFamilyName, String usedName,
                                  String givenNames, int birthYear, Sex sex, PatientStatus status) {
}
