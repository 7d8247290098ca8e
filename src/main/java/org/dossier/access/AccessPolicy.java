package org.dossier.access;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditPurpose;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The gateway's decision for one patient, and nothing else: facts in, a verdict out. Auditing the verdict, charging the
 * guard and answering the refusal stay in {@link AccessGateway}; here is only what decides, so that it is tested as a
 * table (AccessPolicyTest) without a database.
 */
final class AccessPolicy {

    private AccessPolicy() {
    }

    /**
     * What is asked of one patient: the sections needed (all of them, or refused), those also shown if allowed, the
     * action and the resource it is for, and the only roles that may ({@code roles} empty: any role).
     */
    record Ask(Set<Section> required, Set<Section> optional, AuditAction action, AuditResource resourceType, Set<Role> roles) {

        Set<Section> wanted() {
            Set<Section> wanted = EnumSet.noneOf(Section.class);
            wanted.addAll(required);
            wanted.addAll(optional);
            return wanted;
        }
    }

    /** Whether the actor works for an import run, and if so whether the run registered the patient. */
    enum Importing { NO, PATIENT_IT_REGISTERED, OTHER_PATIENT }

    /**
     * What the decision weighs. The record's flags, the care relationship and the work of the day are asked for only
     * when the decision reaches them (a refusal earlier reads none), and each at most once: the gateway reads them then.
     */
    interface Facts {
        Actor actor();

        long patientId();

        /** The patient, or empty when no such record exists. */
        Optional<PatientFacts> patient();

        Ask ask();

        Importing importing();

        /** Restricted or not, the staff account the record belongs to (if a colleague's), an active break-the-glass grant. */
        AccessRepository.Flags flags();

        /** The strongest care relationship between the actor and the patient, if any. */
        Optional<CareLinks.Link> relationship();

        /** What in the actor's desk or billing work of the day explains the patient, if anything. */
        Optional<AuditReason> work();

        /** For a patient's portal account only: whose record the account is, and whether it holds a guardian's link to this one. */
        Portal portal();

        /** The day of the decision, in the hospital's zone: a guardian's link lapses at the minor's 18th birthday. */
        LocalDate today();
    }

    /**
     * What the gateway knows of a portal account asking (ADR 0050): the patient whose account it is, and whether a
     * guardian's link from it to the patient asked about is held (created by the desk, not ended). Read in the decision's
     * one statement, at each request: the session's choice of record is only what it asks for, never why it is allowed.
     */
    record Portal(Long ownPatientId, boolean guardianLink) {
        static final Portal NONE = new Portal(null, false);
    }

    /** The age at which a guardian's link lapses by itself. */
    static final int MAJORITY = 18;

    /** The decision: allowed (with what and why) or denied (why, and what the actor is told). */
    sealed interface Verdict permits Allow, Deny {
    }

    /**
     * Allowed: the sections granted, the reason code and purpose of use written in the trail, whether the access is
     * explained (by a relationship, the work of the day or a grant, else charged to the unexplained budgets), and the
     * break-the-glass grant used, if one was.
     */
    record Allow(Set<Section> sections, AuditReason reason, AuditPurpose purpose, boolean explained, Long breakGlassGrant)
            implements Verdict {
    }

    /** Denied: the reason code and the message; another facility's patient and a missing one are both answered as missing. */
    record Deny(AuditReason reason, String message) implements Verdict {

        boolean answeredAsMissing() {
            return reason == AuditReason.NOT_FOUND || reason == AuditReason.OTHER_FACILITY || reason == AuditReason.NOT_OWN_RECORD;
        }
    }

    static Verdict decide(Facts facts) {
        Actor actor = facts.actor();
        long patientId = facts.patientId();
        Optional<PatientFacts> found = facts.patient();
        if (found.isEmpty()) {
            return new Deny(AuditReason.NOT_FOUND, "No patient " + patientId);
        }
        if (actor.hasRole(Role.PATIENT)) {
            return forPortalAccount(actor, found.get(), facts);
        }
        if (!actor.reaches(patientId)) {
            return outsideApp(actor, patientId);
        }
        boolean sameFacility = actor.worksIn(found.get().facilityId());
        if (facts.importing() != Importing.NO && sameFacility) {
            return forImport(facts);
        }
        if (!sameFacility) {
            // Answered as missing: another facility's patients are not even known to exist.
            return new Deny(AuditReason.OTHER_FACILITY, "No patient " + patientId);
        }
        Ask ask = facts.ask();
        if (!ask.roles().isEmpty() && ask.roles().stream().noneMatch(actor::hasRole)) {
            return new Deny(AuditReason.ROLE, "Your role cannot " + ask.action().code() + " " + describe(ask.resourceType()));
        }
        AccessRepository.Flags flags = facts.flags();
        if (flags.restrictedFor() != null && flags.restrictedFor() == actor.staffId()) {
            return new Deny(AuditReason.SELF_RECORD, "This is your own record as a patient: it is not opened from a staff account");
        }
        return bySections(facts, flags);
    }

    /**
     * A portal account (role PATIENT): its own record under PATIENT_SELF; a minor's record it holds a guardian's link to,
     * the minor under 18 on the day, under GUARDIAN (ADR 0050); anything else answered as missing.
     */
    static Verdict forPortalAccount(Actor actor, PatientFacts patient, Facts facts) {
        Portal portal = facts.portal();
        if (portal.ownPatientId() != null && portal.ownPatientId() == patient.id()) {
            return forThePatientThemself(actor, patient, facts.ask());
        }
        if (portal.guardianLink() && minorOn(patient, facts.today())) {
            return forTheGuardian(actor, patient, facts.ask());
        }
        return new Deny(AuditReason.NOT_OWN_RECORD, "No patient " + patient.id());
    }

    /** Under 18 on that day: the link lapses on the 18th birthday itself. A record without a birth date is no minor's. */
    static boolean minorOn(PatientFacts patient, LocalDate day) {
        return patient.birthDate() != null && day.isBefore(patient.birthDate().plusYears(MAJORITY));
    }

    /**
     * A legal guardian reading a minor's record through their own portal account: the sections the patient would see,
     * read-only (no cancellation, no correction, no flag on the minor's behalf), under GUARDIAN with the patient's purpose.
     */
    private static Verdict forTheGuardian(Actor actor, PatientFacts patient, Ask ask) {
        if (actor.patientScope() == null || actor.patientScope() != patient.id() || actor.roles().size() != 1
                || !actor.worksIn(patient.facilityId())) {
            return new Deny(AuditReason.NOT_OWN_RECORD, "No patient " + patient.id());
        }
        if (ask.action() != AuditAction.READ) {
            return new Deny(AuditReason.ROLE, "A guardian reads the minor's record; changes are made by the hospital's staff");
        }
        Set<Section> visible = Section.visibleTo(Role.PATIENT);
        if (!visible.containsAll(ask.required())) {
            return new Deny(AuditReason.ROLE, "This part of the record is not shown in the patient portal (" + names(ask.required()) + ")");
        }
        return new Allow(intersect(visible, ask.wanted()), AuditReason.GUARDIAN, AuditPurpose.PATRQT, true, null);
    }

    /**
     * The patient signed in to the portal (ADR 0039): the relationship that explains the access is being that patient, so
     * their own record is read under PATIENT_SELF, the sections the portal shows and nothing else; another patient's
     * record is answered as missing, and no change is made from a patient's account.
     */
    static Verdict forThePatientThemself(Actor actor, PatientFacts patient, Ask ask) {
        long patientId = patient.id();
        if (actor.patientScope() == null || actor.patientScope() != patientId || actor.roles().size() != 1
                || !actor.worksIn(patient.facilityId())) {
            return new Deny(AuditReason.NOT_OWN_RECORD, "No patient " + patientId);
        }
        if (ask.action() != AuditAction.READ && !cancelsOwnAppointment(ask)) {
            return new Deny(AuditReason.ROLE, "A patient's account reads its own record; changes are made by the hospital's staff");
        }
        Set<Section> visible = Section.visibleTo(Role.PATIENT);
        if (!visible.containsAll(ask.required())) {
            return new Deny(AuditReason.ROLE, "This part of the record is not shown in the patient portal (" + names(ask.required()) + ")");
        }
        return new Allow(intersect(visible, ask.wanted()), AuditReason.PATIENT_SELF, AuditPurpose.PATRQT, true, null);
    }

    /**
     * The one change a patient makes (ADR 0040): the status of one of their own appointments, which only the scheduling
     * module's cancel-by-the-patient path asks for (the other status changes require a staff role before the gateway).
     */
    private static boolean cancelsOwnAppointment(Ask ask) {
        return ask.action() == AuditAction.STATUS && ask.resourceType() == AuditResource.Appointment
                && ask.required().equals(Set.of(Section.SCHEDULING));
    }

    /** A patient other than the one an app (SMART, {@code patient/} scopes) was launched with. */
    static Deny outsideApp(Actor actor, long patientId) {
        return new Deny(AuditReason.APP_SCOPE, "This app was authorized for one patient only (patient " + actor.patientScope()
                + "): patient " + patientId + " is outside its scope");
    }

    /** An import run writes the history of the patients it registered, and of no other. */
    private static Verdict forImport(Facts facts) {
        if (facts.importing() == Importing.OTHER_PATIENT) {
            return new Deny(AuditReason.IMPORT_SCOPE, "An import writes only to the patients it registers; patient " + facts.patientId()
                    + " was not registered by this import");
        }
        return new Allow(facts.ask().wanted(), AuditReason.IMPORT, AuditPurpose.HOPERAT, true, null);
    }

    /**
     * The sections the actor's roles may see of what is asked, then what explains them: the front desk and billing see
     * theirs for any patient of their facility (explained only by today's work); clinicians need a relationship or a grant.
     */
    /**
     * Which care facts a decision of this ask reads once the patient is found in the actor's facility: the relationship
     * when clinical sections are wanted, the desk's work when administrative ones are. The gateway reads them in the
     * same statement as the patient's facts (one round trip); a fact it did not foresee is still read when asked.
     */
    record Needs(boolean relationship, boolean work) {
    }

    static Needs needs(Actor actor, Ask ask) {
        Split split = Split.of(actor, ask.wanted());
        return new Needs(!split.clinical().isEmpty(), !split.administrative().isEmpty());
    }

    /** The wanted sections the actor's roles may see, administrative first; a section both kinds of role see is administrative. */
    private record Split(Set<Section> administrative, Set<Section> clinical) {
        static Split of(Actor actor, Set<Section> wanted) {
            Set<Section> administrative = intersect(administrativeSections(actor), wanted);
            Set<Section> clinical = intersect(clinicalSections(actor), wanted);
            clinical.removeAll(administrative);
            return new Split(administrative, clinical);
        }
    }

    private static Verdict bySections(Facts facts, AccessRepository.Flags flags) {
        Actor actor = facts.actor();
        Ask ask = facts.ask();
        Set<Section> wanted = ask.wanted();
        Split split = Split.of(actor, wanted);
        Set<Section> administrative = split.administrative();
        Set<Section> clinical = split.clinical();
        Set<Section> possible = EnumSet.noneOf(Section.class);
        possible.addAll(administrative);
        possible.addAll(clinical);
        if (possible.isEmpty() || !possible.containsAll(ask.required())) {
            return new Deny(AuditReason.ROLE, "Your role does not see this part of a patient's record ("
                    + names(ask.required().isEmpty() ? wanted : ask.required()) + ")");
        }
        Allow desk = administrative.isEmpty() ? new Allow(administrative, null, null, false, null) : atTheDesk(facts, administrative);
        return clinical.isEmpty() ? desk : clinically(facts, flags, desk, clinical);
    }

    /** The administrative sections, under today's work when it explains the patient, else under the role (unexplained). */
    private static Allow atTheDesk(Facts facts, Set<Section> administrative) {
        Actor actor = facts.actor();
        AuditPurpose purpose = billingOnly(actor) ? AuditPurpose.HPAYMT : AuditPurpose.HOPERAT;
        Optional<AuditReason> work = facts.work();
        return new Allow(administrative, work.orElse(administrativeReason(actor)), purpose, work.isPresent(), null);
    }

    /**
     * The clinical sections, under a relationship (a strong one for a restricted record) or a break-the-glass grant;
     * without either, the administrative sections alone when they are all that is required, else refused.
     */
    private static Verdict clinically(Facts facts, AccessRepository.Flags flags, Allow desk, Set<Section> clinical) {
        Set<Section> granted = EnumSet.noneOf(Section.class);
        granted.addAll(desk.sections());
        granted.addAll(clinical);
        Optional<CareLinks.Link> link = facts.relationship();
        if (link.isPresent() && (!flags.restricted() || link.get().strong())) {
            return new Allow(granted, link.get().reasonCode(), AuditPurpose.TREAT, true, null);
        }
        if (flags.breakGlassGrant() != null) {
            return new Allow(granted, AuditReason.BREAK_THE_GLASS, AuditPurpose.ETREAT, true, flags.breakGlassGrant());
        }
        if (!desk.sections().isEmpty() && desk.sections().containsAll(facts.ask().required())) {
            return desk;
        }
        String message = flags.restricted()
                ? "This record is restricted: only the patient's attending physician, care team and unit open it."
                : "Nothing in your work links you to this patient (no stay in your unit, appointment, care team or referral).";
        return new Deny(flags.restricted() ? AuditReason.RESTRICTED : AuditReason.NO_RELATIONSHIP, message
                + " If this is an emergency, break the glass: POST /api/patients/" + facts.patientId() + "/break-glass with a reason; it is reviewed.");
    }

    /** The reason code a front-desk or billing actor sees patients of their facility under. */
    static AuditReason administrativeReason(Actor actor) {
        return billingOnly(actor) ? AuditReason.BILLING_OFFICE : AuditReason.FRONT_DESK;
    }

    static boolean billingOnly(Actor actor) {
        return actor.hasRole(Role.BILLING) && !actor.hasRole(Role.FRONT_DESK);
    }

    /** What the actor's roles may see of any record, before relationships are considered. */
    static Set<Section> sectionsOf(Actor actor) {
        Set<Section> all = EnumSet.noneOf(Section.class);
        actor.roles().forEach(r -> all.addAll(Section.visibleTo(r)));
        return all;
    }

    private static Set<Section> administrativeSections(Actor actor) {
        Set<Section> s = EnumSet.noneOf(Section.class);
        for (Role r : actor.roles()) {
            if (r == Role.FRONT_DESK || r == Role.BILLING) {
                s.addAll(Section.visibleTo(r));
            }
        }
        return s;
    }

    private static Set<Section> clinicalSections(Actor actor) {
        Set<Section> s = EnumSet.noneOf(Section.class);
        for (Role r : actor.roles()) {
            if (r.isClinical()) {
                s.addAll(Section.visibleTo(r));
            }
        }
        return s;
    }

    private static Set<Section> intersect(Set<Section> a, Set<Section> b) {
        Set<Section> s = EnumSet.noneOf(Section.class);
        s.addAll(a);
        s.retainAll(b);
        return s;
    }

    private static String names(Set<Section> sections) {
        return sections.stream().map(s -> s.name().toLowerCase()).collect(Collectors.joining(", "));
    }

    private static String describe(AuditResource resourceType) {
        return resourceType == null ? "this" : resourceType.code().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase() + "s";
    }
}
