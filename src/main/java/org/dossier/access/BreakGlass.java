package org.dossier.access;

import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditPurpose;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditReports;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.TooManyRequestsException;
import org.dossier.platform.FieldError;
import org.dossier.platform.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Break-the-glass: a clinician without a recorded relationship opens one patient's record in an emergency.
 * It needs a coded reason, a justification and a fresh second factor; it lasts a few hours; each user
 * breaks the glass only a few times a day; every use waits in the security officer's review queue, on the console.
 */
@Service
public class BreakGlass {

    private static final Logger log = LoggerFactory.getLogger(BreakGlass.class);
    static final int MIN_JUSTIFICATION = 10;

    private final AccessGateway gateway;
    private final PatientDirectory directory;
    private final AccessRepository repository;
    private final AuditReports reports;
    private final Clock clock;
    private final Duration duration;
    private final int maxPerDay;

    BreakGlass(AccessGateway gateway, PatientDirectory directory, AccessRepository repository, AuditReports reports,
               Clock clock,
               @Value("${dossier.access.break-glass.duration:PT4H}") Duration duration,
               @Value("${dossier.access.break-glass.max-per-day:3}") int maxPerDay) {
        this.gateway = gateway;
        this.directory = directory;
        this.repository = repository;
        this.reports = reports;
        this.clock = clock;
        this.duration = duration;
        this.maxPerDay = maxPerDay;
    }

    @Transactional
    public BreakGlassGrant breakGlass(Actor actor, long patientId, BreakGlassGrant.Reason reason, String justification) {
        List<FieldError> errors = new ArrayList<>();
        if (reason == null) {
            errors.add(new FieldError("reason", "is required: one of " + EnumSet.allOf(BreakGlassGrant.Reason.class)));
        }
        if (Texts.isBlank(justification) || justification.strip().length() < MIN_JUSTIFICATION || justification.length() > 1000) {
            errors.add(new FieldError("justification", "say in a sentence why (" + MIN_JUSTIFICATION + " to 1000 characters); it is reviewed"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        PatientFacts patient = directory.facts(patientId).filter(p -> actor.worksIn(p.facilityId())).orElse(null);
        if (patient == null) {
            gateway.append(gateway.entry(actor).action(AuditAction.BREAK_GLASS).patient(patientId).resource(AuditResource.BreakGlass, null)
                    .decision(AuditRecord.Decision.DENY, AuditReason.OTHER_FACILITY).build());
            throw new NotFoundException("No patient " + patientId).audited();
        }
        if (!actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE)) {
            throw refuse(actor, patient, AuditReason.ROLE, new org.dossier.platform.ForbiddenException(
                    "Only physicians and nurses break the glass: the emergency access is to clinical data"));
        }
        Instant now = clock.instant();
        try {
            actor.requireFreshSecondFactor(now);
        } catch (RuntimeException e) {
            throw refuse(actor, patient, AuditReason.STEP_UP_REQUIRED, e);
        }
        var existing = repository.activeGrant(actor.staffId(), patientId, now);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (repository.grantsSince(actor.staffId(), now.minus(Duration.ofDays(1))) >= maxPerDay) {
            throw refuse(actor, patient, AuditReason.BREAK_GLASS_LIMIT, new TooManyRequestsException("You broke the glass " + maxPerDay
                    + " times in the last 24 hours, the most allowed: ask the security officer or the patient's care team",
                    Duration.ofHours(1)));
        }
        long id = repository.insertGrant(actor.staffId(), patientId, patient.facilityId(), reason, justification.strip(), actor.sessionId(),
                now, now.plus(duration));
        // The entry carries the code and the grant's id, never the justification: the trail is not sealed, the grant is,
        // and the officer reads the justification there (ADR 0055).
        gateway.append(gateway.entry(actor).facility(patient.facilityId()).action(AuditAction.BREAK_GLASS).patient(patientId)
                .resource(AuditResource.BreakGlass, Long.toString(id)).decision(AuditRecord.Decision.ALLOW, AuditReason.BREAK_THE_GLASS)
                .purpose(AuditPurpose.ETREAT).detail(reason + ", grant " + id).build());
        log.warn("Break-the-glass: {} opened patient {} ({}), grant {} until {}", actor.username(), patientId, reason, id, now.plus(duration));
        return repository.grant(id).orElseThrow();
    }

    /** The review queue: grants not reviewed yet, oldest first, each with how many times it was used. */
    public List<BreakGlassGrant> reviewQueue(Actor actor, boolean pendingOnly) {
        actor.requireAnyRole("review break-the-glass accesses", Role.SECURITY_OFFICER);
        List<BreakGlassGrant> grants = repository.grants(actor.facilityIds(), pendingOnly, 500).stream().map(this::withUses).toList();
        // Each grant names its patient (by id): in the trail as the officer's oversight (ADR 0018).
        reports.oversaw(actor, AuditResource.BreakGlassGrant, grants.stream().map(BreakGlassGrant::patientId).toList());
        return grants;
    }

    public BreakGlassGrant review(Actor actor, long grantId, BreakGlassGrant.Outcome outcome, String comment) {
        actor.requireAnyRole("review break-the-glass accesses", Role.SECURITY_OFFICER);
        if (outcome == null) {
            throw new InvalidInputException("outcome", "is required: JUSTIFIED or NOT_JUSTIFIED");
        }
        BreakGlassGrant grant = repository.grant(grantId).filter(g -> actor.worksIn(g.facilityId()))
                .orElseThrow(() -> new NotFoundException("No break-the-glass grant " + grantId));
        if (outcome == BreakGlassGrant.Outcome.NOT_JUSTIFIED && Texts.isBlank(comment)) {
            throw new InvalidInputException("comment", "say what was wrong: it goes to the staff member's manager");
        }
        if (!repository.review(grant, outcome, Texts.isBlank(comment) ? null : comment.strip(), actor.staffId(), clock.instant())) {
            throw new org.dossier.platform.ConflictException("already-reviewed", "Grant " + grantId + " was already reviewed");
        }
        gateway.append(gateway.entry(actor).facility(grant.facilityId()).action(AuditAction.BREAK_GLASS_REVIEW).patient(grant.patientId())
                .resource(AuditResource.BreakGlass, Long.toString(grantId)).decision(AuditRecord.Decision.INFO, null)
                .detail(outcome + ", grant " + grantId).build());
        return withUses(repository.grant(grantId).orElseThrow());
    }

    private BreakGlassGrant withUses(BreakGlassGrant g) {
        return g.withUses(reports.usesUnder(g.staffId(), g.patientId(), AuditReason.BREAK_THE_GLASS, g.grantedAt(), g.expiresAt()) - 1);
    }

    private RuntimeException refuse(Actor actor, PatientFacts patient, AuditReason code, RuntimeException answer) {
        gateway.append(gateway.entry(actor).facility(patient.facilityId()).action(AuditAction.BREAK_GLASS).patient(patient.id())
                .resource(AuditResource.BreakGlass, null).decision(AuditRecord.Decision.DENY, code).detail(answer.getMessage()).build());
        return answer instanceof org.dossier.platform.ForbiddenException f ? f.audited() : answer;
    }
}
