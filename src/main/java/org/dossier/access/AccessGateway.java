package org.dossier.access;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditPurpose;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditTrail;
import org.dossier.guard.Guard;
import org.dossier.guard.GuardException;
import org.dossier.platform.AccountFrozenException;
import org.dossier.platform.StepUpRequiredException;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.ForbiddenException;
import org.dossier.platform.NotFoundException;
import org.slf4j.MDC;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The PHI gateway: the one deny-by-default decision taken before any patient data is read or written.
 * It weighs the actor's roles, facilities and units, the care relationship with the patient, an active
 * break-the-glass grant and the patient's restrictions, writes the audit entry (allowed or refused) and
 * waits until it is durable, and only then lets the service read. Services call it; controllers never
 * decide. See docs/decisions/0011-access-gateway.md.
 */
@Service
public class AccessGateway {

    /** The import run the current thread works for, if any (see {@link #within}). */
    private static final ThreadLocal<ImportRun> IMPORTING = new ThreadLocal<>();

    private final PatientDirectory directory;
    private final CareLinks careLinks;
    private final AccessRepository repository;
    private final AuditTrail audit;
    private final Guard guard;
    private final Clock clock;

    AccessGateway(PatientDirectory directory, CareLinks careLinks, AccessRepository repository, AuditTrail audit, Guard guard, Clock clock) {
        this.guard = guard;
        this.directory = directory;
        this.careLinks = careLinks;
        this.repository = repository;
        this.audit = audit;
        this.clock = clock;
    }

    /** Reading one section of a patient's record (one resource, or a list of them when {@code resourceId} is null). */
    public PatientAccess read(Actor actor, long patientId, Section section, AuditResource resourceType, Object resourceId) {
        return decide(actor, patientId, new AccessPolicy.Ask(EnumSet.of(section), Set.of(), AuditAction.READ, resourceType, Set.of()),
                resourceId, null);
    }

    /** Reading {@code required}, plus whichever of {@code alsoIfAllowed} the actor may see (identity, and coverage if allowed). */
    public PatientAccess read(Actor actor, long patientId, AuditResource resourceType, Object resourceId, Section required,
                              Section... alsoIfAllowed) {
        return decide(actor, patientId, new AccessPolicy.Ask(EnumSet.of(required), Set.of(alsoIfAllowed), AuditAction.READ, resourceType,
                Set.of()), resourceId, null);
    }

    /**
     * Changing one section of a patient's record; {@code roles}, when given, are the only roles that may
     * (only a physician prescribes). The caller checks {@link PatientFacts#requireActive()} where it matters.
     */
    public PatientAccess write(Actor actor, long patientId, Section section, AuditAction action, AuditResource resourceType, Object resourceId,
                               Role... roles) {
        return decide(actor, patientId, new AccessPolicy.Ask(EnumSet.of(section), Set.of(), action, resourceType, Set.of(roles)), resourceId,
                null);
    }

    /**
     * Changing one section of a patient's record, the change described in the audit entry's detail ({@code change}, such as
     * "version 2 -> 3"). Charged to the guard as a change, like {@link #write(Actor, long, Section, String, String, Object, Role...)}.
     */
    public PatientAccess write(Actor actor, long patientId, Section section, AuditAction action, AuditResource resourceType, Object resourceId,
                               String change, Role... roles) {
        return decide(actor, patientId, new AccessPolicy.Ask(EnumSet.of(section), Set.of(), action, resourceType, Set.of(roles)), resourceId,
                change);
    }

    /**
     * Whether the actor's work explains an access to this patient, and why (the reason code), without opening the record:
     * a patient of the actor's facilities only (another facility's is answered as missing). The question names the
     * patient, so it is audited and charged like any answer that does: explained or, when nothing links them, counted.
     */
    public Optional<AuditReason> explanation(Actor actor, long patientId, AuditResource resourceType) {
        if (sectionsOf(actor).isEmpty() || actor.hasRole(Role.PATIENT)) {
            throw denied(About.request(actor, AuditAction.READ, resourceType).patient(null, patientId),
                    new ForbiddenException("Your role sees no patient's record: it has no relationship with patients to ask about"));
        }
        PatientFacts patient = requireKnown(actor, patientId, resourceType);
        if (!actor.reaches(patientId)) {
            throw outsideApp(About.request(actor, AuditAction.READ, resourceType), patient);
        }
        Instant now = clock.instant();
        Optional<AuditReason> reason = Optional.ofNullable(careLinks.explain(worker(actor), List.of(patientId), now).get(patientId));
        About about = About.request(actor, AuditAction.READ, resourceType).patient(patient.facilityId(), patientId);
        charge(about, Guard.Kind.SEARCH, List.of(new Guard.Touch(patientId, patient.facilityId(), reason.isPresent())));
        append(entry(about.record(Long.toString(patientId))).decision(AuditRecord.Decision.ALLOW, reason.orElse(AuditReason.NO_LINK))
                .purpose(purposeOf(actor)).detail("relationship question: no part of the record shown").build());
        return reason;
    }

    /**
     * Records the creation of a patient record by the actor, who registered it and is answered with it: the
     * service has checked the actor's role and facility. Reason code AuditReason.REGISTRATION.
     */
    public void created(Actor actor, long patientId, int facilityId, AuditResource resourceType) {
        guard.registered(actor, patientId, facilityId);
        ImportRun run = importing(actor);
        if (run != null) {
            run.adopt(patientId);
        }
        AuditRecord entry = entry(actor).facility(facilityId).action(AuditAction.CREATE).patient(patientId)
                .resource(resourceType, Long.toString(patientId)).sections(EnumSet.of(Section.IDENTITY))
                .decision(AuditRecord.Decision.ALLOW, AuditReason.REGISTRATION).purpose(purposeOf(actor))
                .detail(run == null ? null : "import of " + run.source()).build();
        if (run == null) {
            append(entry);
        } else {
            appendForRun(run, entry);
        }
    }

    /**
     * Starts an import of records from another system into {@code facilityId}: only an administrator of that facility
     * may, with a second factor used in the last minutes when signed in through a browser. Audited either way. The
     * run may register patients and write their history; it may not touch any patient it did not register.
     */
    ImportRun beginImport(Actor actor, int facilityId, String source) {
        String what = source == null || source.isBlank() ? "import" : source.strip();
        if (!actor.hasRole(Role.ADMIN)) {
            append(entry(actor).facility(facilityId).action(AuditAction.IMPORT).resource(AuditResource.Bundle, null)
                    .decision(AuditRecord.Decision.DENY, AuditReason.ROLE).detail(what).build());
            throw new ForbiddenException("Only an administrator imports records from another system").audited();
        }
        if (!actor.worksIn(facilityId)) {
            append(entry(actor).facility(facilityId).action(AuditAction.IMPORT).resource(AuditResource.Bundle, null)
                    .decision(AuditRecord.Decision.DENY, AuditReason.OTHER_FACILITY).detail(what).build());
            throw new ForbiddenException("You do not administer facility " + facilityId).audited();
        }
        if (actor.channel() == Actor.Channel.SESSION) {
            actor.requireFreshSecondFactor(clock.instant());
        }
        append(entry(actor).facility(facilityId).action(AuditAction.IMPORT).resource(AuditResource.Bundle, null)
                .decision(AuditRecord.Decision.ALLOW, AuditReason.IMPORT).purpose(AuditPurpose.HOPERAT).detail(what).build());
        Actor runActor = new Actor(actor.staffId(), actor.username(), EnumSet.of(Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE),
                Set.of(facilityId), Set.of(), actor.sessionId(), actor.sourceAddress(), actor.userAgent(), actor.channel(),
                actor.secondFactorAt());
        return new ImportRun(actor, runActor, facilityId, what);
    }

    /** Runs {@code work} for the import run: the run's actor is then confined to the patients the run registered. */
    <T> T within(ImportRun run, java.util.function.Supplier<T> work) {
        ImportRun outer = IMPORTING.get();
        IMPORTING.set(run);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                IMPORTING.remove();
            } else {
                IMPORTING.set(outer);
            }
        }
    }

    private static ImportRun importing(Actor actor) {
        ImportRun run = IMPORTING.get();
        return run != null && run.actor() == actor ? run : null;
    }

    /** An import run writing the history of a patient it registered (the policy refused any other): audited as the run's. */
    private PatientAccess imported(ImportRun run, About about, PatientFacts patient, Set<Section> wanted, String change) {
        appendForRun(run, entry(about).sections(wanted).decision(AuditRecord.Decision.ALLOW, AuditReason.IMPORT).purpose(AuditPurpose.HOPERAT)
                .detail("import of " + run.source() + (change == null ? "" : "; " + change)).build());
        return new PatientAccess(run.actor(), patient, wanted, AuditReason.IMPORT);
    }

    /**
     * An import's entry, appended with the others of its transaction just before it commits (ADR 0060); on its own and
     * at once outside a transaction. Refusals are never held: they are appended at once like any other.
     */
    private void appendForRun(ImportRun run, AuditRecord entry) {
        RunTransaction.of(run, this::append).ifPresentOrElse(t -> t.hold(entry), () -> append(entry));
    }

    /**
     * The facts of a patient of the actor's facilities, without opening the record (to tell a clinician whether
     * their work explains an access before they ask for it). Another facility's patient is answered as missing.
     */
    public PatientFacts requireKnown(Actor actor, long patientId, AuditResource resourceType) {
        return directory.facts(patientId).filter(p -> actor.worksIn(p.facilityId())).orElseThrow(() -> refuse(
                About.request(actor, AuditAction.READ, resourceType).patient(null, patientId), AuditReason.OTHER_FACILITY,
                new NotFoundException("No patient " + patientId)));
    }

    /** Opening a chart: every section the actor may see of this patient, decided and audited once. */
    public PatientAccess openChart(Actor actor, long patientId) {
        return decide(actor, patientId, new AccessPolicy.Ask(Set.of(), EnumSet.allOf(Section.class), AuditAction.READ, AuditResource.Chart,
                Set.of()), patientId, null);
    }

    /**
     * Lets an actor search patients by identity: the permit a repository's search takes. Refused (403, audited) to an
     * actor whose roles see no identity at all, or whom the guard stops.
     */
    public SearchPermit permitSearch(Actor actor, AuditResource what) {
        requireSearch(actor, what);
        return new SearchPermit(actor, what);
    }

    /**
     * Lets an actor read a list of patients (a census, an agenda, a work queue): the permit a repository's list query
     * takes. The list is audited and charged by {@link #listed} or {@link #listedWithinWork} before it leaves. Refused
     * (403, audited) to an app confined to its launch patient.
     */
    public SearchPermit permitList(Actor actor, AuditResource what) {
        if (actor.patientScope() != null) {
            throw denied(About.request(actor, AuditAction.LIST, what), new ForbiddenException(
                    "This app's access is limited to its launch patient: lists of patients are not part of it"), AuditReason.APP_SCOPE);
        }
        return new SearchPermit(actor, what);
    }

    /** Refuses (403, audited) a search by an actor whose roles see no identity at all. */
    public void requireSearch(Actor actor, AuditResource what) {
        if (actor.hasRole(Role.PATIENT) || !sectionsOf(actor).contains(Section.IDENTITY)) {
            throw denied(About.request(actor, AuditAction.SEARCH, what), new ForbiddenException("Your role cannot search patients"));
        }
        try {
            guard.searching(actor);
        } catch (GuardException g) {
            throw guardAnswer(About.request(actor, AuditAction.SEARCH, what), g);
        }
    }

    /**
     * Audits each patient a search returns, one entry per patient, before the results leave. Restricted
     * records are left out of searches by name: they are found only by their exact identifier.
     */
    public <T> List<T> searched(Actor actor, AuditResource resourceType, List<T> results, ToLongFunction<T> patientId,
                                ToIntFunction<T> facilityId, boolean exactIdentifier) {
        if (results.isEmpty()) {
            return results;
        }
        Set<Long> restricted = exactIdentifier ? Set.of()
                : repository.restricted(results.stream().map(patientId::applyAsLong).toList());
        // An app confined to its launch patient finds that patient alone: the others are neither shown nor charged.
        List<T> shown = results.stream().filter(r -> !restricted.contains(patientId.applyAsLong(r)) && actor.reaches(patientId.applyAsLong(r))).toList();
        if (shown.isEmpty()) {
            return shown;
        }
        // A result the actor's work of the day explains (care, today's desk work, the billing queue) is explained; the
        // others count against the unexplained budgets. One lookup for the whole page.
        Map<Long, AuditReason> explained = careLinks.explain(worker(actor), shown.stream().map(patientId::applyAsLong).toList(), clock.instant());
        List<AuditReason> reasons = shown.stream().map(r -> explained.getOrDefault(patientId.applyAsLong(r), AuditReason.SEARCH_RESULT)).toList();
        List<Guard.Touch> touches = new ArrayList<>(shown.size());
        for (int i = 0; i < shown.size(); i++) {
            touches.add(new Guard.Touch(patientId.applyAsLong(shown.get(i)), facilityId.applyAsInt(shown.get(i)),
                    !reasons.get(i).equals(AuditReason.SEARCH_RESULT)));
        }
        String note = charge(About.request(actor, AuditAction.SEARCH, resourceType), Guard.Kind.SEARCH, touches);
        List<AuditRecord> entries = new ArrayList<>(shown.size());
        for (int i = 0; i < shown.size(); i++) {
            T r = shown.get(i);
            entries.add(entry(actor).facility(facilityId.applyAsInt(r)).action(AuditAction.SEARCH).patient(patientId.applyAsLong(r))
                    .resource(resourceType, null).sections(EnumSet.of(Section.IDENTITY))
                    .decision(AuditRecord.Decision.ALLOW, reasons.get(i)).purpose(purposeOf(actor)).detail(note).build());
        }
        append(entries);
        return shown;
    }

    /** A patient shown in a list (a unit's census, an agenda, a work queue) and the reason it is on that list. */
    public record Listed(long patientId, Integer facilityId, AuditReason reasonCode) {
    }

    /**
     * Audits each patient of a list as shown to the actor (a census, an agenda, a work queue): every patient counts as one
     * access, explained when the actor's work of the day explains it (ADR 0018), else charged against the unexplained
     * budgets like a record opened without a reason. The reason the service gives is checked, not trusted.
     */
    public Listing listed(Actor actor, AuditResource resourceType, Section section, Collection<Listed> patients) {
        return list(actor, resourceType, section, patients, false);
    }

    /**
     * Like {@link #listed}, for a list that names only the patients of the actor's work: the others stay in the list as
     * anonymous items (a booked slot, a claim without its beneficiary), uncharged and unaudited because nothing of them is
     * shown. The proof holds the named patients alone; the service blanks the others.
     */
    public Listing listedWithinWork(Actor actor, AuditResource resourceType, Section section, Collection<Listed> patients) {
        return list(actor, resourceType, section, patients, true);
    }

    private Listing list(Actor actor, AuditResource resourceType, Section section, Collection<Listed> patients, boolean workOnly) {
        if (actor.patientScope() != null) {
            // Lists (censuses, agendas, queues) name many patients: an app confined to one sees none of them.
            throw denied(About.request(actor, AuditAction.LIST, resourceType), new ForbiddenException(
                    "This app's access is limited to its launch patient: lists of patients are not part of it"), AuditReason.APP_SCOPE);
        }
        List<Long> ids = patients.stream().map(Listed::patientId).distinct().toList();
        Map<Long, AuditReason> explained = new java.util.HashMap<>(patients.isEmpty() ? Map.of() : careLinks.explain(worker(actor), ids, clock.instant()));
        if (explained.size() < ids.size()) {
            guard.ownWork(actor, ids.stream().filter(id -> !explained.containsKey(id)).toList()).forEach(id -> explained.put(id, AuditReason.OWN_WORK));
        }
        List<Listed> shownPatients = workOnly ? patients.stream().filter(l -> explained.containsKey(l.patientId())).toList()
                : List.copyOf(patients);
        charge(About.request(actor, AuditAction.LIST, resourceType), Guard.Kind.LIST, shownPatients.stream().filter(l -> l.facilityId() != null)
                .map(l -> new Guard.Touch(l.patientId(), l.facilityId(), explained.containsKey(l.patientId()))).toList());
        List<AuditRecord> entries = new ArrayList<>(shownPatients.size());
        // A list names its patients: their identity is part of what was shown.
        Set<Section> shown = sectionsOf(actor).contains(Section.IDENTITY) ? EnumSet.of(section, Section.IDENTITY) : EnumSet.of(section);
        for (Listed l : shownPatients) {
            entries.add(entry(actor).facility(l.facilityId()).action(AuditAction.LIST).patient(l.patientId()).resource(resourceType, null)
                    .sections(shown).decision(AuditRecord.Decision.ALLOW, explained.getOrDefault(l.patientId(), AuditReason.OUTSIDE_WORK))
                    .purpose(purposeOf(actor)).build());
        }
        append(entries);
        return new Listing(actor, shown.contains(Section.IDENTITY)
                ? shownPatients.stream().map(Listed::patientId).collect(java.util.stream.Collectors.toSet()) : Set.of());
    }

    /** Refuses (403, audited) a listing the actor's roles do not allow. */
    public void refuseListing(Actor actor, AuditResource resourceType, String message) {
        throw denied(About.request(actor, AuditAction.LIST, resourceType), new ForbiddenException(message));
    }

    /**
     * A refusal for the actor's role, with no patient decided yet: audited, and counted by the guard like every refused
     * attempt (an administrator's token trying searches and censuses is probing, and freezes like any other).
     */
    private RuntimeException denied(About about, ForbiddenException answer) {
        return denied(about, answer, AuditReason.ROLE);
    }

    private RuntimeException denied(About about, ForbiddenException answer, AuditReason reasonCode) {
        append(entry(about).decision(AuditRecord.Decision.DENY, reasonCode).detail(answer.getMessage()).build());
        try {
            refusedToStaff(about.actor());
        } catch (GuardException g) {
            return guardAnswer(about, g);
        }
        return answer.audited();
    }

    /**
     * Counts a refusal against a staff account (a run of them freezes it). A patient's portal account is confined to its
     * own record by the policy and throttled at the portal's sign-in; the guard's budgets and freezes are staff accounts'.
     */
    private void refusedToStaff(Actor actor) {
        if (!actor.hasRole(Role.PATIENT)) {
            guard.refused(actor);
        }
    }

    /** The reason code a front-desk or billing actor lists patients of their facility under. */
    public static AuditReason administrativeReason(Actor actor) {
        return AccessPolicy.administrativeReason(actor);
    }

    /** Whose work explains an access: the actor with their units and facilities, and the kinds of work their roles do. */
    private static CareLinks.Worker worker(Actor actor) {
        return new CareLinks.Worker(actor.staffId(), actor.unitIds(), actor.facilityIds(), actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE),
                actor.hasAnyRole(Role.FRONT_DESK, Role.BILLING), actor.hasRole(Role.BILLING));
    }

    /** What the actor's roles may see of any record, before relationships are considered. */
    public static Set<Section> sectionsOf(Actor actor) {
        return AccessPolicy.sectionsOf(actor);
    }

    private PatientAccess decide(Actor actor, long patientId, AccessPolicy.Ask ask, Object resourceId, String change) {
        Facts facts = new Facts(actor, patientId, ask);
        AccessPolicy.Verdict verdict = AccessPolicy.decide(facts);
        About about = About.request(actor, ask.action(), ask.resourceType())
                .patient(facts.patient().map(PatientFacts::facilityId).orElse(null), patientId)
                .record(resourceId == null ? null : resourceId.toString());
        if (verdict instanceof AccessPolicy.Deny deny) {
            throw refuse(about, deny);
        }
        AccessPolicy.Allow allow = (AccessPolicy.Allow) verdict;
        PatientFacts patient = facts.patient().orElseThrow();
        if (allow.reason() == AuditReason.IMPORT) {
            return imported(importing(actor), about, patient, allow.sections(), change);
        }
        String detail = allow.breakGlassGrant() == null ? change : join(change, "break-the-glass grant " + allow.breakGlassGrant());
        // The patient reading their own record, or their guardian the minor's through a link the desk made, exposes no one
        // else: the guard, which watches staff accounts, is not charged (a portal account has no staff budget to charge).
        String note = allow.reason() == AuditReason.PATIENT_SELF || allow.reason() == AuditReason.GUARDIAN ? null
                : charge(about, ask.action() == AuditAction.READ ? Guard.Kind.OPEN : Guard.Kind.CHANGE,
                List.of(new Guard.Touch(patientId, patient.facilityId(), allow.explained())));
        append(entry(about).sections(allow.sections()).decision(AuditRecord.Decision.ALLOW, allow.reason()).purpose(allow.purpose())
                .detail(note == null ? detail : join(detail, note)).build());
        return new PatientAccess(actor, patient, allow.sections(), allow.reason());
    }

    private static String join(String detail, String more) {
        return detail == null ? more : detail + "; " + more;
    }

    /**
     * The facts of one decision as the gateway knows them: the patient's looked up first, the record's flags and the care
     * links read only if the policy asks for them (a refusal before reads nothing more), each once.
     */
    private final class Facts implements AccessPolicy.Facts {
        private final Actor actor;
        private final long patientId;
        private final AccessPolicy.Ask ask;
        private Optional<PatientFacts> patient;
        private AccessRepository.Flags flags;
        private Optional<CareLinks.Link> relationship;
        private Optional<AuditReason> work;
        private AccessPolicy.Portal portal;
        private Instant now;

        Facts(Actor actor, long patientId, AccessPolicy.Ask ask) {
            this.actor = actor;
            this.patientId = patientId;
            this.ask = ask;
        }

        @Override
        public Actor actor() {
            return actor;
        }

        @Override
        public long patientId() {
            return patientId;
        }

        /** The patient's facts, read with the flags and the care facts the policy will ask for, in one statement. */
        @Override
        public Optional<PatientFacts> patient() {
            if (patient == null) {
                ImportRun run = AccessGateway.importing(actor);
                if (run != null) {
                    patient = importedPatient(run);
                    return patient;
                }
                AccessPolicy.Needs needs = AccessPolicy.needs(actor, ask);
                Long account = actor.hasRole(Role.PATIENT) ? -actor.staffId() : null;
                Optional<AccessRepository.Decision> read = repository.decision(patientId, actor.staffId(), account, actor.unitIds(),
                        actor.facilityIds(), actor.hasRole(Role.BILLING), now(), careLinks.workDays(now()), needs.relationship(),
                        needs.work());
                patient = read.map(AccessRepository.Decision::patient);
                read.ifPresent(d -> {
                    flags = d.flags();
                    portal = d.portal();
                    boolean ours = actor.worksIn(d.patient().facilityId());
                    if (needs.relationship() && ours) {
                        relationship = Optional.ofNullable(d.relationship()).map(careLinks::link);
                    }
                    if (needs.work() && ours) {
                        work = Optional.ofNullable(d.work()).map(AuditReason::of);
                    }
                });
            }
            return patient;
        }

        /**
         * For an import run the policy asks only where the patient is and whether the run registered them (flags and care
         * links are never weighed): the patient's facts alone, read once per transaction for a patient the run registered.
         */
        private Optional<PatientFacts> importedPatient(ImportRun run) {
            Optional<RunTransaction> transaction = RunTransaction.existing(run);
            Optional<PatientFacts> known = transaction.flatMap(t -> t.facts(patientId));
            if (known.isPresent()) {
                return known;
            }
            Optional<PatientFacts> read = repository.decision(patientId, actor.staffId(), null, actor.unitIds(), actor.facilityIds(),
                    false, now(), careLinks.workDays(now()), false, false).map(AccessRepository.Decision::patient);
            read.ifPresent(p -> RunTransaction.of(run, AccessGateway.this::append).ifPresent(t -> t.remember(p)));
            return read;
        }

        @Override
        public AccessPolicy.Ask ask() {
            return ask;
        }

        @Override
        public AccessPolicy.Importing importing() {
            ImportRun run = AccessGateway.importing(actor);
            return run == null ? AccessPolicy.Importing.NO
                    : run.registered(patientId) ? AccessPolicy.Importing.PATIENT_IT_REGISTERED : AccessPolicy.Importing.OTHER_PATIENT;
        }

        @Override
        public AccessRepository.Flags flags() {
            if (flags == null) {
                flags = repository.flags(patientId, actor.staffId(), now());
            }
            return flags;
        }

        @Override
        public Optional<CareLinks.Link> relationship() {
            if (relationship == null) {
                relationship = careLinks.between(actor.staffId(), actor.unitIds(), patientId, now());
            }
            return relationship;
        }

        @Override
        public Optional<AuditReason> work() {
            if (work == null) {
                work = Optional.ofNullable(careLinks.explain(new CareLinks.Worker(actor.staffId(), actor.unitIds(), actor.facilityIds(),
                        false, true, actor.hasRole(Role.BILLING)), List.of(patientId), now()).get(patientId));
            }
            return work;
        }

        /** Read with the patient's facts (the policy asks only once the patient is found). */
        @Override
        public AccessPolicy.Portal portal() {
            patient();
            return portal == null ? AccessPolicy.Portal.NONE : portal;
        }

        @Override
        public java.time.LocalDate today() {
            return java.time.LocalDate.ofInstant(now(), clock.getZone());
        }

        /** The time the decision weighs the relationships at: taken once, when its facts are first read. */
        private Instant now() {
            if (now == null) {
                now = clock.instant();
            }
            return now;
        }
    }

    /** A patient other than the one an app (SMART, {@code patient/} scopes) was launched with: refused, audited, counted. */
    private RuntimeException outsideApp(About about, PatientFacts patient) {
        return refuse(about.patient(patient.facilityId(), patient.id()), AccessPolicy.outsideApp(about.actor(), patient.id()));
    }

    /** A refusal of the policy, answered as missing (404) or forbidden (403). */
    private RuntimeException refuse(About about, AccessPolicy.Deny deny) {
        return refuse(about, deny.reason(),
                deny.answeredAsMissing() ? new NotFoundException(deny.message()) : new ForbiddenException(deny.message()));
    }

    private RuntimeException refuse(About about, AuditReason reasonCode, RuntimeException answer) {
        append(entry(about).decision(AuditRecord.Decision.DENY, reasonCode).detail(answer.getMessage()).build());
        try {
            refusedToStaff(about.actor());
        } catch (GuardException g) {
            return guardAnswer(about, g);
        }
        if (answer instanceof NotFoundException n) {
            return n.audited();
        }
        return answer instanceof ForbiddenException f ? f.audited() : answer;
    }

    /** Charges the guard; its refusal is audited and answered (step-up needed, or the account now frozen). */
    private String charge(About about, Guard.Kind kind, List<Guard.Touch> touches) {
        try {
            return guard.charge(about.actor(), kind, touches);
        } catch (GuardException g) {
            RuntimeException answer = guardAnswer(about, g);
            if (g.response() == GuardException.Response.STEP_UP) {
                try {
                    guard.refused(about.actor());
                } catch (GuardException frozen) {
                    throw guardAnswer(about, frozen);
                }
            }
            throw answer;
        }
    }

    private RuntimeException guardAnswer(About about, GuardException g) {
        AuditReason reason = g.response() == GuardException.Response.FREEZE ? AuditReason.GUARD_FREEZE : AuditReason.GUARD_STEP_UP;
        append(entry(about).decision(AuditRecord.Decision.DENY, reason).detail(g.signal() + ": " + g.getMessage()).build());
        return g.response() == GuardException.Response.FREEZE ? (RuntimeException) new AccountFrozenException(g.getMessage()).audited()
                : new StepUpRequiredException(g.getMessage(), true);
    }

    void append(AuditRecord record) {
        audit.append(record);
    }

    private void append(List<AuditRecord> records) {
        audit.append(records);
    }

    /**
     * An entry of the actor's, now, for the request under way; the caller says what was decided about what. An import's
     * entries name the administrator who runs it (their own roles, not the roles the run borrows to write: the run's actor
     * is the administrator's account, session and address with those roles).
     */
    AuditRecord.Builder entry(Actor actor) {
        ImportRun run = importing(actor);
        return AuditRecord.at(clock.instant()).actor(run == null ? actor : run.importer()).request(MDC.get("requestId"));
    }

    /** An entry about {@code about}: the caller adds the decision and what goes with it. */
    private AuditRecord.Builder entry(About about) {
        return entry(about.actor()).facility(about.facilityId()).action(about.action()).patient(about.patientId())
                .resource(about.resourceType(), about.resourceId());
    }

    /**
     * What an entry of the gateway is about, from the request to the decision: whose request, which action on what kind of
     * record, and once known the patient, the facility holding them and the record.
     */
    private record About(Actor actor, AuditAction action, AuditResource resourceType, Integer facilityId, Long patientId,
                         String resourceId) {

        static About request(Actor actor, AuditAction action, AuditResource resourceType) {
            return new About(actor, action, resourceType, null, null, null);
        }

        About patient(Integer facility, Long patient) {
            return new About(actor, action, resourceType, facility, patient, resourceId);
        }

        About record(String id) {
            return new About(actor, action, resourceType, facilityId, patientId, id);
        }
    }

    private static AuditPurpose purposeOf(Actor actor) {
        if (actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE)) {
            return AuditPurpose.TREAT;
        }
        return AccessPolicy.billingOnly(actor) ? AuditPurpose.HPAYMT : AuditPurpose.HOPERAT;
    }
}
