package org.dossier.patient;

import java.time.LocalDate;

/**
 * A bounded search: a name prefix of at least three letters with a birth date or a given-name prefix,
 * or an exact identifier (INS/NIR or IPP).
 */
public record PatientSearchQuery(String name, String given, LocalDate birthDate, String ins, String ipp, Integer facilityId, Sex sex) {

    public PatientSearchQuery(String name, String given, LocalDate birthDate, String ins, String ipp, Integer facilityId) {
        this(name, given, birthDate, ins, ipp, facilityId, null);
    }
}
