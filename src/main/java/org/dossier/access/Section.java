package org.dossier.access;

import org.dossier.organization.Role;

import java.util.EnumSet;
import java.util.Set;

/**
 * The parts of a patient's record a role may ever see. Front desk and billing see their administrative
 * sections for any patient of their facility; clinicians see clinical sections, and only for patients
 * their work explains. Administrators and the security officer see none.
 */
public enum Section {
    /** Name, birth date, sex, address, contacts, identifiers. */
    IDENTITY,
    /** Social security number (NIR), insurers. */
    COVERAGE,
    /** Appointments. */
    SCHEDULING,
    /** Stays, care team, referrals. */
    ENCOUNTERS,
    /** Notes, allergies, problems, observations, documents. */
    CLINICAL,
    /** Medication orders. */
    PRESCRIPTIONS,
    /** Invoices, health-card reads, claims. */
    BILLING;

    /** What {@code role} may see of a record at most. */
    public static Set<Section> visibleTo(Role role) {
        return switch (role) {
            case PHYSICIAN -> EnumSet.of(IDENTITY, COVERAGE, SCHEDULING, ENCOUNTERS, CLINICAL, PRESCRIPTIONS);
            case NURSE -> EnumSet.of(IDENTITY, SCHEDULING, ENCOUNTERS, CLINICAL, PRESCRIPTIONS);
            case FRONT_DESK -> EnumSet.of(IDENTITY, COVERAGE, SCHEDULING, ENCOUNTERS);
            case BILLING -> EnumSet.of(IDENTITY, COVERAGE, SCHEDULING, ENCOUNTERS, BILLING);
            case ADMIN, SECURITY_OFFICER -> EnumSet.noneOf(Section.class);
            // The patient on their own record (the portal): what the hospital shows them, their invoices (ADR 0040); not coverage yet.
            case PATIENT -> EnumSet.of(IDENTITY, SCHEDULING, CLINICAL, PRESCRIPTIONS, BILLING);
        };
    }
}
