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
    static final int MAX_NOTE = 1000;

    private final AccessGateway gateway;
    private final OwnRecordReports reports;
    private final AuditReports trailReports;
    private final AuditTrail audit;
    private final PortalCaseRepository cases;
    private final PortalOversightRepository oversight;
    private final OrganizationService organization;
    private final PortalAccountRepository accounts;
    private final Clock clock;

    PortalCases(AccessGateway gateway, OwnRecordReports reports, AuditReports trailReports, AuditTrail audit, PortalCaseRepository cases,
                PortalOversightRepository oversight, OrganizationService organization, PortalAccountRepository accounts, Clock clock) {
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
     * One access as the patient is told of it: the trail's entry, the staff member's units (their names are not shown: the
     * hospital's policy, ADR 0039) and, under a break-the-glass, the grant's coded reason.
     */
    public record AccessLine(AuditReports.AccessToMyRecord entry, List<String> units, String breakGlassReason) {
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
        return entries.stream().map(e -> new AccessLine(e, e.actorId() == null || e.actorId() == 0 ? List.of()
                : e.actorId() < 0 ? earlierEnrolment(earlier.get(-e.actorId()))
                : units.computeIfAbsent(e.actorId(), this::unitsOf),
                "BREAK_THE_GLASS".equals(e.reasonCode()) ? reports.breakGlassReason(own, e.detail()).map(Enum::name).orElse(null) : null))
                .toList();
    }

    /**
     * A read made under an earlier enrolment of the patient (a lost phone, or someone who enrolled in their name at the
     * desk): told with when that enrolment was made and the role and units of the staff member who issued its code.
     */
    private List<String> earlierEnrolment(PortalAccountRepository.Enrolment enrolment) {
        if (enrolment == null) {
            return List.of();
        }
        String issuer = enrolment.issuedBy() == null ? "" : ", code issued by " + organization.staffMember(enrolment.issuedBy()).roles()
                .stream().map(Enum::name).sorted().collect(Collectors.joining("/"))
                + unitsOf(enrolment.issuedBy()).stream().collect(Collectors.joining(", ", " (", ")"));
        return List.of("an earlier portal enrolment, made " + enrolment.enrolledAt().toString().substring(0, 10) + issuer);
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
        PatientAccess own = own(actor, AuditResource.PortalCase);
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
        if (!oversight.close(caseId, outcome, text, officer.staffId(), now)) {
            throw new org.dossier.platform.ConflictException("case-closed", "This case is already closed", Map.of("caseId", caseId));
        }
        audit.append(AuditRecord.at(now).actor(officer).facility(found.facilityId()).action(AuditAction.STATUS).patient(found.patientId())
                .resource(AuditResource.PortalCase, caseId).decision(AuditRecord.Decision.INFO, null)
                .detail("closed: " + outcome + "; accesses " + found.evidence().stream().map(e -> Long.toString(e.auditSeq()))
                        .collect(Collectors.joining(","))).request(org.slf4j.MDC.get("requestId")).build());
        return oversight.find(caseId, officer.facilityIds()).orElseThrow();
    }
}
