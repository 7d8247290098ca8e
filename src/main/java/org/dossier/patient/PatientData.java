package org.dossier.patient;

import java.time.LocalDate;
import java.util.List;

/**
 * Everything the registry keeps about a patient, as written by registration or an identity change.
 * The INS (national health identifier) is a matricule (NIR or NIA, 13 characters plus a 2-digit key)
 * with the OID of the system that issued it.
 */
public record PatientData(String birthFamilyName, String usedName, String givenNames, LocalDate birthDate, Sex sex,
                          String birthplaceCode, String insMatricule, String insOid, IdentityStatus identityStatus,
                          List<Address> addresses, List<Phone> phones, List<Email> emails, List<RelatedPerson> contacts,
                          PreferredPhysician preferredPhysician, Coverage coverage) {

    public PatientData {
        // null elements are kept so that validation can name them instead of dropping them silently
        addresses = copy(addresses);
        phones = copy(phones);
        emails = copy(emails);
        contacts = copy(contacts);
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(list));
    }

    /** A postal address; {@code inseeCode} is the commune's code when known. */
    public record Address(String use, String line, String postalCode, String city, String inseeCode, String country) {
    }

    /** {@code use}: MOBILE, HOME or WORK. */
    public record Phone(String use, String number) {
    }

    /** {@code use}: HOME or WORK. */
    public record Email(String use, String address) {
    }

    /** The trusted person (personne de confiance) and next of kin; {@code role}: TRUSTED_PERSON, NEXT_OF_KIN or BOTH. */
    public record RelatedPerson(String role, String name, String relationship, String phone) {
    }

    /** The médecin traitant declared to the insurer. */
    public record PreferredPhysician(String name, String rpps) {
    }

    /**
     * Health insurance: the insured person's NIR, the compulsory scheme (AMO: scheme, fund and centre codes)
     * and the complementary insurer (AMC, mutuelle), with the validity of the rights.
     */
    public record Coverage(String nir, String amoScheme, String amoFund, String amoCentre, String amcName,
                           String amcNumber, LocalDate validFrom, LocalDate validTo) {
    }
}
