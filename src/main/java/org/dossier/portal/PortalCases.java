package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.access.OwnRecordReports;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditReports;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditTrail;
import org.dossier.organization.Actor;
import org.dossier.organization.CareUnit;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * "Who opened my record" and "I don't recognise this access" (ADR 0039). The patient's list is read from the chained trail
 * under the gateway's decision for the patient themself; a flagged access opens a case with the entries attached, which
 * the security officer closes with an outcome the patient then sees.
 */
@Service
public class PortalCases {

    public static final int PAGE_SIZE = 20;
    /** How far back the portal's home tells of break-the-glass accesses. */
    static final int NOTICE_DAYS = 90;
    static final int MAX_NOTE = 1000;

    private final AccessGateway gateway;
    private final OwnRecordReports reports;
    private final AuditReports trailReports;
    private final AuditTrail audit;
    private final PortalCaseRepository cases;
    private final PortalOversightRepository oversight;
    private final OrganizationService organization;
    private final PortalAccountRepository accounts;
    private final PortalSettings settings;
    private final Clock clock;

    PortalCases(AccessGateway gateway, OwnRecordReports reports, AuditReports trailReports, AuditTrail audit, PortalCaseRepository cases,
                PortalOversightRepository oversight, OrganizationService organization, PortalAccountRepository accounts,
                PortalSettings settings, Clock clock) {
        this.settings = settings;
        this.accounts = accounts;
        this.gateway = gateway;
        this.reports = reports;
        this.trailReports = trailReports;
        this.audit = audit;
        this.cases = cases;
        this.oversight = oversight;
        this.organization = organization;
        this.clock = clock;
    }

    /**
     * One access as the patient is told of it: the trail's entry, the staff member's units, their name when the hospital's
     * setting says so (ADR 0044; otherwise null), under a break-the-glass the grant's coded reason, and for a read made
     * under an earlier enrolment of the patient, that enrolment (worded by the page, in the patient's language).
     */
    public record AccessLine(AuditReports.AccessToMyRecord entry, List<String> units, String breakGlassReason, String staffName,
                             EarlierEnrolment earlier) {
    }

    /** An earlier portal enrolment of the patient: when it was made, and the roles and units of who issued its code (or null). */
    public record EarlierEnrolment(java.time.LocalDate enrolledOn, String issuer) {
    }

    /** A break-the-glass access the patient is told of on their portal's home (ADR 0044). */
    public record BreakGlassNotice(Instant at, String reason, String staff) {
    }

    public record AccessPage(List<AccessLine> lines, int page, boolean more) {
    }

    public AccessPage accesses(Actor actor, int page) {
        PatientAccess own = own(actor, AuditResource.AccessReport);
        OwnRecordReports.Page p = reports.accesses(own, Math.max(0, page), PAGE_SIZE);
        return new AccessPage(lines(own, p.entries()), Math.max(0, page), p.more());
    }

    /** Every access (at most 1,000, newest first) for the downloadable list. */
    public List<AccessLine> allAccesses(Actor actor) {
        PatientAccess own = own(actor, AuditResource.AccessReport);
        return lines(own, reports.accesses(own, 0, 1000).entries());
    }

    List<AccessLine> lines(PatientAccess own, List<AuditReports.AccessToMyRecord> entries) {
        Map<Long, List<String>> units = new HashMap<>();
        Map<Long, PortalAccountRepository.Enrolment> earlier = entries.stream().anyMatch(e -> e.actorId() != null && e.actorId() < 0)
                ? accounts.otherEnrolments(own.patientId(), -own.actor().staffId()) : Map.of();
        Map<Long, String> names = settings.of(own.patient().facilityId()).staffNames()
                ? organization.staffNames(entries.stream().map(AuditReports.AccessToMyRecord::actorId)
                .filter(id -> id != null && id > 0).collect(Collectors.toSet())) : Map.of();
        return entries.stream().map(e -> {
            boolean staff = e.actorId() != null && e.actorId() > 0;
            return new AccessLine(e, staff ? units.computeIfAbsent(e.actorId(), this::unitsOf) : List.of(),
                    "BREAK_THE_GLASS".equals(e.reasonCode()) ? reports.breakGlassReason(own, e.detail()).map(Enum::name).orElse(null) : null,
                    staff ? names.get(e.actorId()) : null,
                    e.actorId() != null && e.actorId() < 0 ? earlierEnrolment(earlier.get(-e.actorId())) : null);
        }).toList();
    }

    /**
     * A read made under an earlier enrolment of the patient (a lost phone, or someone who enrolled in their name at the
     * desk): told with when that enrolment was made and the role and units of the staff member who issued its code.
     */
    private EarlierEnrolment earlierEnrolment(PortalAccountRepository.Enrolment enrolment) {
        if (enrolment == null) {
            // Not one of this patient's enrolments: told by its role alone, never as an enrolment of "null".
            return null;
        }
        return new EarlierEnrolment(enrolment.enrolledAt().atZone(java.time.ZoneOffset.UTC).toLocalDate(),
                enrolment.issuedBy() == null ? null : rolesAndUnits(enrolment.issuedBy()));
    }

    /** A staff member as the patient is told of them when names are not shown: "FRONT_DESK (Admissions)". */
    String rolesAndUnits(long staffId) {
        return organization.staffMember(staffId).roles().stream().map(Enum::name).sorted().collect(Collectors.joining("/"))
                + unitsOf(staffId).stream().collect(Collectors.joining(", ", " (", ")"));
    }

    /**
     * The break-the-glass accesses to the patient's record in the last {@value #NOTICE_DAYS} days (at most 10, newest first),
     * under the proof the record page was read with, when the hospital's setting shows them (ADR 0044; default on): the
     * time, the coded reason, and the staff member by roles and units (or by name, if that setting is on too).
     */
    List<BreakGlassNotice> breakGlassNotices(PatientAccess own) {
        PortalSettings.Setting setting = settings.of(own.patient().facilityId());
        if (!setting.breakGlassNotice()) {
            return List.of();
        }
        List<org.dossier.access.BreakGlassGrant> grants = reports.breakGlassGrants(own, clock.instant().minus(java.time.Duration.ofDays(NOTICE_DAYS)), 10);
        Map<Long, String> names = setting.staffNames()
                ? organization.staffNames(grants.stream().map(org.dossier.access.BreakGlassGrant::staffId).collect(Collectors.toSet())) : Map.of();
        return grants.stream().map(g -> new BreakGlassNotice(g.grantedAt(), g.reason().name(),
                names.containsKey(g.staffId()) ? names.get(g.staffId()) + " — " + rolesAndUnits(g.staffId()) : rolesAndUnits(g.staffId())))
                .toList();
    }

    private List<String> unitsOf(long staffId) {
        return organization.staffMember(staffId).unitIds().stream().map(organization::unit).flatMap(Optional::stream)
                .map(CareUnit::name).sorted().toList();
    }

    /** Opens a case about these accesses (sequence numbers of the trail's entries about the patient's record). */
    @Transactional
    public long flag(Actor actor, Collection<Long> seqs, String note) {
        if (seqs == null || seqs.isEmpty() || seqs.size() > 100) {
            throw new InvalidInputException("seq", "choose the access (or up to 100) you do not recognise");
        }
        String text = note == null ? null : note.strip();
        if (text != null && text.length() > MAX_NOTE) {
            throw new InvalidInputException("note", "must be at most " + MAX_NOTE + " characters");
        }
        PatientAccess own = PortalRecord.requireThePatientThemself(own(actor, AuditResource.PortalCase));
        List<AuditReports.AccessToMyRecord> entries = reports.entries(own, seqs);
        if (entries.isEmpty()) {
            throw new InvalidInputException("seq", "no such access to your record");
        }
        Instant now = clock.instant();
        Optional<Long> already = cases.openCaseAbout(own, entries.stream().map(AuditReports.AccessToMyRecord::seq).toList());
        if (already.isPresent()) {
            // Flagged again (a second click, a reload): the open case already holds it; no second case in the officer's queue.
            return already.get();
        }
        long id = cases.open(own, -actor.staffId(), text == null || text.isEmpty() ? null : text, entries, now);
        // Opening a case is a change, audited as one (the read that decided it is the gateway's entry before).
        audit.append(AuditRecord.at(now).actor(actor).facility(own.patient().facilityId()).action(AuditAction.CREATE)
                .patient(own.patientId()).resource(AuditResource.PortalCase, id).decision(AuditRecord.Decision.INFO, null)
                .detail("opened by the patient about accesses " + entries.stream().map(e -> Long.toString(e.seq()))
                        .collect(Collectors.joining(","))).request(org.slf4j.MDC.get("requestId")).build());
        return id;
    }

    public List<PortalCase> myCases(Actor actor) {
        return cases.ofPatient(own(actor, AuditResource.PortalCase));
    }

    /**
     * The staff who issued the codes of the system's cases, as the patient is told of them: roles and units, never an
     * account number (ADR 0044); the officer's note, which has it, is not shown to the patient.
     */
    public Map<Long, String> issuers(List<PortalCase> mine) {
        Map<Long, String> issuers = new HashMap<>();
        mine.stream().map(PortalCase::issuedBy).filter(java.util.Objects::nonNull).distinct().forEach(id -> issuers.put(id, rolesAndUnits(id)));
        return issuers;
    }

    private PatientAccess own(Actor actor, AuditResource what) {
        long patientId = PortalRecord.ownPatient(actor);
        return gateway.read(actor, patientId, Section.IDENTITY, what, patientId);
    }

    /** The security officer's queue: the cases of their facilities, each patient named written to the trail (OVERSEE). */
    public List<PortalCase> queue(Actor officer, boolean openOnly) {
        return queue(officer, openOnly, 0);
    }

    /** One page of the queue ({@value #PAGE_SIZE} cases, newest first). */
    public List<PortalCase> queue(Actor officer, boolean openOnly, int page) {
        officer.requireAnyRole("review patients' cases", Role.SECURITY_OFFICER);
        List<PortalCase> found = oversight.cases(officer.facilityIds(), openOnly, Math.max(0, page) * PAGE_SIZE, PAGE_SIZE);
        trailReports.oversaw(officer, AuditResource.PortalCase, found.stream().map(PortalCase::patientId).toList());
        return found;
    }

    /** Closes a case with the officer's outcome, which the patient then sees; audited as the change of the case's status. */
    @Transactional
    public PortalCase close(Actor officer, long caseId, PortalCase.Outcome outcome, String note) {
        officer.requireAnyRole("close patients' cases", Role.SECURITY_OFFICER);
        if (outcome == null) {
            throw new InvalidInputException("outcome", "choose an outcome: LEGITIMATE, MISUSE or UNDETERMINED");
        }
        String text = org.dossier.platform.Texts.requireReason(note);
        PortalCase found = oversight.find(caseId, officer.facilityIds()).orElseThrow(() -> new NotFoundException("No case " + caseId));
        Instant now = clock.instant();
        if (!oversight.close(found, outcome, text, officer.staffId(), now)) {
            throw new org.dossier.platform.ConflictException("case-closed", "This case is already closed", Map.of("caseId", caseId));
        }
        audit.append(AuditRecord.at(now).actor(officer).facility(found.facilityId()).action(AuditAction.STATUS).patient(found.patientId())
                .resource(AuditResource.PortalCase, caseId).decision(AuditRecord.Decision.INFO, null)
                .detail("closed: " + outcome + "; accesses " + found.evidence().stream().map(e -> Long.toString(e.auditSeq()))
                        .collect(Collectors.joining(","))).request(org.slf4j.MDC.get("requestId")).build());
        return oversight.find(caseId, officer.facilityIds()).orElseThrow();
    }
}
