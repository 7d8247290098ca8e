package org.dossier.patient;

import java.time.LocalDate;

/**
 * A bounded search: a name prefix (or the exact name, or a part of it) of at least three letters with a birth date or a given-name prefix,
 * or an exact identifier (INS/NIR or IPP). Instead of one birth date, a range of birth dates
 * [{@code bornFrom}, {@code bornTo}) may be given (either end open), less the days [{@code notBornFrom},
 * {@code notBornTo}); a range of a year at most narrows as a birth date does, a wider one only with a given name.
 */
public record PatientSearchQuery(String name, String given, LocalDate birthDate, String ins, String ipp, Integer facilityId, Sex sex,
                                 LocalDate bornFrom, LocalDate bornTo, LocalDate notBornFrom, LocalDate notBornTo,
                                 Match nameMatch, Match givenMatch) {

    /**
     * How a name is matched: its start (the default), the whole name exactly as written (case and accents included), or
     * anywhere in it. Each keeps the bound: 3+ letters of the family name with a birth date or a given name.
     */
    public enum Match { PREFIX, EXACT, CONTAINS }

    public PatientSearchQuery {
        nameMatch = nameMatch == null ? Match.PREFIX : nameMatch;
        givenMatch = givenMatch == null ? Match.PREFIX : givenMatch;
    }

    public PatientSearchQuery(String name, String given, LocalDate birthDate, String ins, String ipp, Integer facilityId, Sex sex,
                              LocalDate bornFrom, LocalDate bornTo, LocalDate notBornFrom, LocalDate notBornTo) {
        this(name, given, birthDate, ins, ipp, facilityId, sex, bornFrom, bornTo, notBornFrom, notBornTo, Match.PREFIX, Match.PREFIX);
    }

    public PatientSearchQuery(String name, String given, LocalDate birthDate, String ins, String ipp, Integer facilityId, Sex sex) {
        this(name, given, birthDate, ins, ipp, facilityId, sex, null, null, null, null);
    }

    public PatientSearchQuery(String name, String given, LocalDate birthDate, String ins, String ipp, Integer facilityId) {
        this(name, given, birthDate, ins, ipp, facilityId, null);
    }

    /** Whether the birth dates asked for are few enough to stand in for a birth date (a year, and a day either side at most). */
    boolean birthNarrowed() {
        return birthDate != null || bornFrom != null && bornTo != null && !bornTo.isAfter(bornFrom.plusDays(MAX_BIRTH_RANGE_DAYS));
    }

    static final int MAX_BIRTH_RANGE_DAYS = 368;
}
