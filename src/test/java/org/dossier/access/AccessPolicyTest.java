package org.dossier.access;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditPurpose;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditResource;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's decision for one patient as a table, without Spring or a database: who asks (roles, and the patient an
 * app is confined to), the patient (of the actor's facility, another's, none), an import run, the roles an action is
 * kept to, the record (restricted, or the actor's own), the care relationship, today's desk work, a break-the-glass grant
 * and the sections asked -> allowed (sections, reason, purpose, explained) or refused (reason, what the actor is told),
 * and which facts the decision had to read. Every branch of {@link AccessPolicy} has a row.
 * <p>
 * Columns: roles (+-joined) | patient: HOME (facility 1, the actor's), OTHER (facility 2), NONE (no such patient) |
 * app: the patient a SMART app is confined to, SAME (42, the one asked) or OTHER (7) | import: REG (the run registered
 * patient 42), ANOTHER (it did not) | only: the roles the action is kept to | action | record: RESTRICTED, OWN (the
 * actor's own record as a patient), COLLEAGUE (another staff member's) | link: reason/strong or reason/weak | work: the
 * desk's reason of the day | glass: an active grant's id | required | also (ALL: every section, as a chart opens) ||
 * verdict | reason | sections | purpose | explained | reads (the facts read beyond the patient) | says (part of the refusal).
 */
class AccessPolicyTest {

    private static final long PATIENT = 42;
    private static final LocalDate TODAY = LocalDate.of(2026, 12, 7);
    private static final long STAFF = 5;

    @ParameterizedTest(name = "{index}: {0} {1} app={2} import={3} only={4} {5} record={6} link={7} work={8} glass={9} {10}+{11} -> {12} {13}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "-", textBlock = """
            # roles            | patient | app   | import  | only      | action | record     | link             | work              | glass | required          | also           || verdict | reason            | sections                                              | purpose | explained | reads           | says
            # who is asked about which patient
            PHYSICIAN          | NONE    | -     | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | DENY    | NOT_FOUND         | -                                                     | -       | -         | -               | No patient 42
            PHYSICIAN          | OTHER   | -     | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | DENY    | OTHER_FACILITY    | -                                                     | -       | -         | -               | No patient 42
            PHYSICIAN          | HOME    | OTHER | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | DENY    | APP_SCOPE         | -                                                     | -       | -         | -               | authorized for one patient only (patient 7): patient 42 is outside its scope
            PHYSICIAN          | HOME    | SAME  | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | ALLOW   | CARE_TEAM         | CLINICAL                                              | TREAT   | true      | flags+link      | -
            # the patient themself, signed in to the portal (ADR 0039): their own record, reads only, the portal's sections
            PATIENT            | HOME    | SAME  | -       | -         | READ   | -          | -                | -                 | -     | CLINICAL          | -              | ALLOW   | PATIENT_SELF      | CLINICAL                                              | PATRQT  | true      | -               | -
            PATIENT            | HOME    | SAME  | -       | -         | READ   | RESTRICTED | -                | -                 | -     | -                 | ALL            | ALLOW   | PATIENT_SELF      | IDENTITY+SCHEDULING+CLINICAL+PRESCRIPTIONS+BILLING    | PATRQT  | true      | -               | -
            PATIENT            | HOME    | OTHER | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | IDENTITY          | -              | DENY    | NOT_OWN_RECORD    | -                                                     | -       | -         | -               | No patient 42
            PATIENT            | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | IDENTITY          | -              | DENY    | NOT_OWN_RECORD    | -                                                     | -       | -         | -               | No patient 42
            PATIENT            | OTHER   | SAME  | -       | -         | READ   | -          | -                | -                 | -     | IDENTITY          | -              | DENY    | NOT_OWN_RECORD    | -                                                     | -       | -         | -               | No patient 42
            PATIENT+PHYSICIAN  | HOME    | SAME  | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | DENY    | NOT_OWN_RECORD    | -                                                     | -       | -         | -               | No patient 42
            PATIENT            | HOME    | SAME  | -       | -         | READ   | -          | -                | -                 | -     | BILLING           | -              | ALLOW   | PATIENT_SELF      | BILLING                                               | PATRQT  | true      | -               | -
            PATIENT            | HOME    | SAME  | -       | -         | CREATE | -          | -                | -                 | -     | CLINICAL          | -              | DENY    | ROLE              | -                                                     | -       | -         | -               | changes are made by the hospital's staff
            PATIENT            | HOME    | SAME  | -       | -         | READ   | -          | -                | -                 | -     | COVERAGE          | -              | DENY    | ROLE              | -                                                     | -       | -         | -               | not shown in the patient portal (coverage)
            # an import run writes to the patients it registered, in its own facility only
            PHYSICIAN+NURSE    | HOME    | -     | REG     | -         | CREATE | -          | -                | -                 | -     | CLINICAL          | -              | ALLOW   | IMPORT            | CLINICAL                                              | HOPERAT | true      | -               | -
            PHYSICIAN+NURSE    | HOME    | -     | ANOTHER | -         | CREATE | -          | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | DENY    | IMPORT_SCOPE      | -                                                     | -       | -         | -               | patient 42 was not registered by this import
            PHYSICIAN+NURSE    | OTHER   | -     | REG     | -         | CREATE | -          | -                | -                 | -     | CLINICAL          | -              | DENY    | OTHER_FACILITY    | -                                                     | -       | -         | -               | No patient 42
            # an action kept to some roles (only a physician prescribes)
            NURSE              | HOME    | -     | -       | PHYSICIAN | CREATE | -          | CARE_TEAM/strong | -                 | -     | PRESCRIPTIONS     | -              | DENY    | ROLE              | -                                                     | -       | -         | -               | Your role cannot create medication orders
            PHYSICIAN          | HOME    | -     | -       | PHYSICIAN | CREATE | -          | CARE_TEAM/strong | -                 | -     | PRESCRIPTIONS     | -              | ALLOW   | CARE_TEAM         | PRESCRIPTIONS                                         | TREAT   | true      | flags+link      | -
            # one's own record as a patient is never opened from a staff account, whatever explains it
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | OWN        | ATTENDING/strong | -                 | 77    | CLINICAL          | -              | DENY    | SELF_RECORD       | -                                                     | -       | -         | flags           | your own record as a patient
            FRONT_DESK         | HOME    | -     | -       | -         | READ   | OWN        | -                | APPOINTMENT_TODAY | -     | IDENTITY          | -              | DENY    | SELF_RECORD       | -                                                     | -       | -         | flags           | your own record as a patient
            # what the roles never see
            ADMIN              | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | IDENTITY          | -              | DENY    | ROLE              | -                                                     | -       | -         | flags           | does not see this part of a patient's record (identity)
            SECURITY_OFFICER   | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | -                 | ALL            | DENY    | ROLE              | -                                                     | -       | -         | flags           | (identity, coverage, scheduling, encounters, clinical, prescriptions, billing)
            FRONT_DESK         | HOME    | -     | -       | -         | READ   | -          | -                | APPOINTMENT_TODAY | -     | CLINICAL          | -              | DENY    | ROLE              | -                                                     | -       | -         | flags           | (clinical)
            NURSE              | HOME    | -     | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | IDENTITY+COVERAGE | -              | DENY    | ROLE              | -                                                     | -       | -         | flags           | (identity, coverage)
            # the front desk and billing: their sections of any patient of their facility, explained only by today's work
            FRONT_DESK         | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | IDENTITY          | -              | ALLOW   | FRONT_DESK        | IDENTITY                                              | HOPERAT | false     | flags+work      | -
            FRONT_DESK         | HOME    | -     | -       | -         | READ   | -          | -                | APPOINTMENT_TODAY | -     | IDENTITY          | -              | ALLOW   | APPOINTMENT_TODAY | IDENTITY                                              | HOPERAT | true      | flags+work      | -
            FRONT_DESK         | HOME    | -     | -       | -         | READ   | RESTRICTED | -                | STAY_TODAY        | -     | IDENTITY          | -              | ALLOW   | STAY_TODAY        | IDENTITY                                              | HOPERAT | true      | flags+work      | -
            BILLING            | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | BILLING           | -              | ALLOW   | BILLING_OFFICE    | BILLING                                               | HPAYMT  | false     | flags+work      | -
            BILLING            | HOME    | -     | -       | -         | READ   | -          | -                | BILLING_QUEUE     | -     | BILLING           | IDENTITY       | ALLOW   | BILLING_QUEUE     | IDENTITY+BILLING                                      | HPAYMT  | true      | flags+work      | -
            BILLING+FRONT_DESK | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | IDENTITY          | -              | ALLOW   | FRONT_DESK        | IDENTITY                                              | HOPERAT | false     | flags+work      | -
            FRONT_DESK         | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | -                 | ALL            | ALLOW   | FRONT_DESK        | IDENTITY+COVERAGE+SCHEDULING+ENCOUNTERS               | HOPERAT | false     | flags+work      | -
            # clinicians: a relationship (a strong one for a restricted record) or a break-the-glass grant
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | ALLOW   | CARE_TEAM         | CLINICAL                                              | TREAT   | true      | flags+link      | -
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | -          | APPOINTMENT/weak | -                 | -     | CLINICAL          | -              | ALLOW   | APPOINTMENT       | CLINICAL                                              | TREAT   | true      | flags+link      | -
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | RESTRICTED | ATTENDING/strong | -                 | -     | CLINICAL          | -              | ALLOW   | ATTENDING         | CLINICAL                                              | TREAT   | true      | flags+link      | -
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | COLLEAGUE  | CARE_TEAM/strong | -                 | -     | CLINICAL          | -              | ALLOW   | CARE_TEAM         | CLINICAL                                              | TREAT   | true      | flags+link      | -
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | RESTRICTED | APPOINTMENT/weak | -                 | -     | CLINICAL          | -              | DENY    | RESTRICTED        | -                                                     | -       | -         | flags+link      | This record is restricted
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | COLLEAGUE  | REFERRAL/weak    | -                 | -     | CLINICAL          | -              | DENY    | RESTRICTED        | -                                                     | -       | -         | flags+link      | break the glass: POST /api/patients/42/break-glass
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | RESTRICTED | APPOINTMENT/weak | -                 | 77    | CLINICAL          | -              | ALLOW   | BREAK_THE_GLASS   | CLINICAL                                              | ETREAT  | true      | flags+link      | -
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | CLINICAL          | -              | DENY    | NO_RELATIONSHIP   | -                                                     | -       | -         | flags+link      | Nothing in your work links you to this patient
            PHYSICIAN          | HOME    | -     | -       | -         | UPDATE | -          | -                | -                 | 77    | CLINICAL          | -              | ALLOW   | BREAK_THE_GLASS   | CLINICAL                                              | ETREAT  | true      | flags+link      | -
            NURSE              | HOME    | -     | -       | -         | READ   | -          | CURRENT_STAY_IN_UNIT/strong | -      | -     | IDENTITY          | COVERAGE       | ALLOW   | CURRENT_STAY_IN_UNIT | IDENTITY                                           | TREAT   | true      | flags+link      | -
            # opening a chart: every section the roles see, as far as the relationship goes
            NURSE              | HOME    | -     | -       | -         | READ   | -          | CARE_TEAM/strong | -                 | -     | -                 | ALL            | ALLOW   | CARE_TEAM         | IDENTITY+SCHEDULING+ENCOUNTERS+CLINICAL+PRESCRIPTIONS | TREAT   | true      | flags+link      | -
            PHYSICIAN          | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | -                 | ALL            | DENY    | NO_RELATIONSHIP   | -                                                     | -       | -         | flags+link      | If this is an emergency, break the glass
            # a clinician who also works at the desk: the desk's sections without a relationship, the clinical ones with one
            PHYSICIAN+FRONT_DESK | HOME  | -     | -       | -         | READ   | -          | -                | -                 | -     | -                 | ALL            | ALLOW   | FRONT_DESK        | IDENTITY+COVERAGE+SCHEDULING+ENCOUNTERS               | HOPERAT | false     | flags+work+link | -
            PHYSICIAN+FRONT_DESK | HOME  | -     | -       | -         | READ   | RESTRICTED | -                | APPOINTMENT_TODAY | -     | -                 | ALL            | ALLOW   | APPOINTMENT_TODAY | IDENTITY+COVERAGE+SCHEDULING+ENCOUNTERS               | HOPERAT | true      | flags+work+link | -
            PHYSICIAN+FRONT_DESK | HOME  | -     | -       | -         | READ   | -          | REFERRAL/weak    | APPOINTMENT_TODAY | -     | -                 | ALL            | ALLOW   | REFERRAL          | IDENTITY+COVERAGE+SCHEDULING+ENCOUNTERS+CLINICAL+PRESCRIPTIONS | TREAT | true | flags+work+link | -
            PHYSICIAN+FRONT_DESK | HOME  | -     | -       | -         | READ   | -          | -                | -                 | 77    | -                 | ALL            | ALLOW   | BREAK_THE_GLASS   | IDENTITY+COVERAGE+SCHEDULING+ENCOUNTERS+CLINICAL+PRESCRIPTIONS | ETREAT | true | flags+work+link | -
            PHYSICIAN+FRONT_DESK | HOME  | -     | -       | -         | READ   | -          | -                | APPOINTMENT_TODAY | -     | CLINICAL          | IDENTITY       | DENY    | NO_RELATIONSHIP   | -                                                     | -       | -         | flags+work+link | Nothing in your work links you to this patient
            NURSE+BILLING      | HOME    | -     | -       | -         | READ   | -          | -                | -                 | -     | IDENTITY          | CLINICAL       | ALLOW   | BILLING_OFFICE    | IDENTITY                                              | HPAYMT  | false     | flags+work+link | -
            """)
    void decides(String roles, String patient, String app, String importing, String only, AuditAction action, String record,
                 String link, AuditReason work, Long glass, String required, String also,
                 String verdict, AuditReason reason, String sections, AuditPurpose purpose, Boolean explained, String reads, String says) {
        Row row = new Row(actor(roles, app), patient, importing, ask(only, action, required, also), record, link, work, glass);

        AccessPolicy.Verdict decided = AccessPolicy.decide(row);

        if (verdict.equals("ALLOW")) {
            assertThat(decided).isInstanceOf(AccessPolicy.Allow.class);
            AccessPolicy.Allow allow = (AccessPolicy.Allow) decided;
            assertThat(allow.reason()).isEqualTo(reason);
            assertThat(allow.sections()).containsExactlyInAnyOrderElementsOf(sections(sections));
            assertThat(allow.purpose()).isEqualTo(purpose);
            assertThat(allow.explained()).isEqualTo(explained);
            assertThat(allow.breakGlassGrant()).isEqualTo(reason == AuditReason.BREAK_THE_GLASS ? glass : null);
        } else {
            assertThat(decided).isInstanceOf(AccessPolicy.Deny.class);
            AccessPolicy.Deny deny = (AccessPolicy.Deny) decided;
            assertThat(deny.reason()).isEqualTo(reason);
            assertThat(deny.message()).contains(says);
            assertThat(deny.answeredAsMissing()).isEqualTo(reason == AuditReason.NOT_FOUND || reason == AuditReason.OTHER_FACILITY
                    || reason == AuditReason.NOT_OWN_RECORD);
        }
        assertThat(String.join("+", row.read())).isEqualTo(reads == null ? "" : reads);
    }

    @Test
    void anActionKeptToOtherRolesWithoutANamedResourceIsRefusedAsThis() {
        AccessPolicy.Ask ask = new AccessPolicy.Ask(EnumSet.of(Section.CLINICAL), Set.of(), AuditAction.UPDATE, null, Set.of(Role.PHYSICIAN));
        Row row = new Row(actor("NURSE", null), "HOME", null, ask, null, "CARE_TEAM/strong", null, null);

        assertThat(AccessPolicy.decide(row)).isEqualTo(new AccessPolicy.Deny(AuditReason.ROLE, "Your role cannot update this"));
    }

    /** The one change a patient makes (ADR 0040): the status of their own appointment; nothing else, and no one else's. */
    @Test
    void aPatientChangesTheStatusOfTheirOwnAppointmentAndNothingElse() {
        Actor patient = actor("PATIENT", "SAME");
        AccessPolicy.Ask cancel = new AccessPolicy.Ask(EnumSet.of(Section.SCHEDULING), Set.of(), AuditAction.STATUS, AuditResource.Appointment, Set.of());
        AccessPolicy.Verdict own = AccessPolicy.decide(new Row(patient, "HOME", null, cancel, null, null, null, null));
        assertThat(own).isInstanceOf(AccessPolicy.Allow.class);
        assertThat(((AccessPolicy.Allow) own).reason()).isEqualTo(AuditReason.PATIENT_SELF);
        assertThat(AccessPolicy.decide(new Row(actor("PATIENT", "OTHER"), "HOME", null, cancel, null, null, null, null)))
                .isEqualTo(new AccessPolicy.Deny(AuditReason.NOT_OWN_RECORD, "No patient " + PATIENT));
        AccessPolicy.Ask book = new AccessPolicy.Ask(EnumSet.of(Section.SCHEDULING), Set.of(), AuditAction.CREATE, AuditResource.Appointment, Set.of());
        AccessPolicy.Ask other = new AccessPolicy.Ask(EnumSet.of(Section.CLINICAL), Set.of(), AuditAction.STATUS, AuditResource.MedicationOrder, Set.of());
        for (AccessPolicy.Ask refused : java.util.List.of(book, other)) {
            assertThat(AccessPolicy.decide(new Row(patient, "HOME", null, refused, null, null, null, null)))
                    .isInstanceOf(AccessPolicy.Deny.class).extracting(v -> ((AccessPolicy.Deny) v).reason()).isEqualTo(AuditReason.ROLE);
        }
    }

    /**
     * A guardian's account (its own record is patient 5) acting for the minor 42 (ADR 0050): allowed under GUARDIAN, reads
     * only, while a link is held and the minor is under 18 on the day; the 18th birthday itself ends it. Columns: link held |
     * minor's age on the day (years, days past the birthday) | the record the session acts for | action || verdict | reason.
     */
    @ParameterizedTest(name = "{0} {1}y+{2}d scope {3} {4} -> {5} {6}")
    @CsvSource(delimiter = '|', textBlock = """
            # link | age | +days | scope | action || verdict | reason
            true   | 12  | 0     | 42    | READ   || ALLOW   | GUARDIAN
            true   | 17  | 364   | 42    | READ   || ALLOW   | GUARDIAN
            true   | 18  | 0     | 42    | READ   || DENY    | NOT_OWN_RECORD
            true   | 30  | 0     | 42    | READ   || DENY    | NOT_OWN_RECORD
            false  | 12  | 0     | 42    | READ   || DENY    | NOT_OWN_RECORD
            true   | 12  | 0     | 7     | READ   || DENY    | NOT_OWN_RECORD
            true   | 12  | 0     | 42    | STATUS || DENY    | ROLE
            true   | 12  | 0     | 42    | CREATE || DENY    | ROLE
            """)
    void aGuardianReadsAMinorsRecordWhileTheLinkHolds(boolean link, int age, int days, long scope, AuditAction action, String blank,
                                                      String verdict, AuditReason reason) {
        Actor guardian = new Actor(-3, "patient:parent", Set.of(Role.PATIENT), Set.of(1), Set.of(), "portal:s", "10.0.0.1", "test",
                Actor.Channel.SESSION, null, scope);
        AccessPolicy.Ask ask = new AccessPolicy.Ask(EnumSet.of(Section.SCHEDULING), Set.of(Section.CLINICAL), action, AuditResource.Appointment, Set.of());
        Row row = new Row(guardian, "HOME", null, ask, null, null, null, null, new ArrayList<>(), new AccessPolicy.Portal(5L, link),
                TODAY.minusYears(age).minusDays(days));

        AccessPolicy.Verdict decided = AccessPolicy.decide(row);

        if (verdict.equals("ALLOW")) {
            assertThat(decided).isEqualTo(new AccessPolicy.Allow(EnumSet.of(Section.SCHEDULING, Section.CLINICAL), AuditReason.GUARDIAN,
                    AuditPurpose.PATRQT, true, null));
        } else {
            assertThat(decided).isInstanceOf(AccessPolicy.Deny.class).extracting(v -> ((AccessPolicy.Deny) v).reason()).isEqualTo(reason);
        }
        assertThat(row.read()).as("no flag, relationship or desk work is read for a portal account").isEmpty();
    }

    @Test
    void whatTheRolesSeeIsWhatEachOfThemSees() {
        assertThat(AccessPolicy.sectionsOf(actor("NURSE+BILLING", null))).containsExactlyInAnyOrder(Section.IDENTITY, Section.COVERAGE,
                Section.SCHEDULING, Section.ENCOUNTERS, Section.CLINICAL, Section.PRESCRIPTIONS, Section.BILLING);
        assertThat(AccessPolicy.sectionsOf(actor("ADMIN+SECURITY_OFFICER", null))).isEmpty();
    }

    private static Actor actor(String roles, String app) {
        Set<Role> set = EnumSet.noneOf(Role.class);
        Arrays.stream(roles.split("\\+")).map(Role::valueOf).forEach(set::add);
        Long scope = app == null ? null : app.equals("SAME") ? PATIENT : 7L;
        return new Actor(STAFF, "someone", set, Set.of(1), Set.of(10), "session:1", "10.0.0.1", "test", Actor.Channel.SESSION, null, scope);
    }

    private static AccessPolicy.Ask ask(String only, AuditAction action, String required, String also) {
        Set<Role> roles = only == null ? Set.of() : Set.of(Role.valueOf(only));
        Set<Section> optional = "ALL".equals(also) ? EnumSet.allOf(Section.class) : sections(also);
        return new AccessPolicy.Ask(sections(required), optional, action, AuditResource.MedicationOrder, roles);
    }

    private static Set<Section> sections(String names) {
        Set<Section> set = EnumSet.noneOf(Section.class);
        if (names != null) {
            Arrays.stream(names.split("\\+")).map(Section::valueOf).forEach(set::add);
        }
        return set;
    }

    /** One row's facts; it notes which of the facts read on demand the decision asked for, and refuses a second read. */
    private record Row(Actor actor, String where, String importRun, AccessPolicy.Ask ask, String restriction, String link,
                       AuditReason desk, Long glass, List<String> read, AccessPolicy.Portal account, LocalDate birthDate)
            implements AccessPolicy.Facts {

        Row(Actor actor, String where, String importRun, AccessPolicy.Ask ask, String restriction, String link, AuditReason desk, Long glass) {
            this(actor, where, importRun, ask, restriction, link, desk, glass, new ArrayList<>(), null, null);
        }

        /** A portal account's own record is the one its session names, unless a row says otherwise (a guardian's). */
        @Override
        public AccessPolicy.Portal portal() {
            return account != null ? account : new AccessPolicy.Portal(actor.patientScope(), false);
        }

        @Override
        public LocalDate today() {
            return TODAY;
        }

        @Override
        public long patientId() {
            return PATIENT;
        }

        @Override
        public Optional<PatientFacts> patient() {
            return where.equals("NONE") ? Optional.empty()
                    : Optional.of(new PatientFacts(PATIENT, where.equals("HOME") ? 1 : 2, false, null, birthDate));
        }

        @Override
        public AccessPolicy.Importing importing() {
            return importRun == null ? AccessPolicy.Importing.NO
                    : importRun.equals("REG") ? AccessPolicy.Importing.PATIENT_IT_REGISTERED : AccessPolicy.Importing.OTHER_PATIENT;
        }

        @Override
        public AccessRepository.Flags flags() {
            reading("flags");
            return new AccessRepository.Flags(restriction != null, "OWN".equals(restriction) ? Long.valueOf(STAFF)
                    : "COLLEAGUE".equals(restriction) ? Long.valueOf(99) : null, glass);
        }

        @Override
        public Optional<CareLinks.Link> relationship() {
            reading("link");
            return Optional.ofNullable(link).map(l -> l.split("/"))
                    .map(l -> new CareLinks.Link(AuditReason.valueOf(l[0]), l[1].equals("strong")));
        }

        @Override
        public Optional<AuditReason> work() {
            reading("work");
            return Optional.ofNullable(desk);
        }

        private void reading(String fact) {
            assertThat(read).as("each fact is read once").doesNotContain(fact);
            read.add(fact);
        }
    }

}
