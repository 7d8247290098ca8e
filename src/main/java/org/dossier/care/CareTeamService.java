package org.dossier.care;

import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.Section;
import org.dossier.access.AccessGateway;
import org.dossier.access.Listing;
import org.dossier.access.PatientAccess;
import org.dossier.organization.Actor;
import org.dossier.organization.CareUnit;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.access.PatientFacts;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Located;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Care teams and referrals: the explicit relationships that clinicians declare. */
@Service
public class CareTeamService {

    /** A referral without an end date lasts this long. */
    public static final Duration DEFAULT_REFERRAL = Duration.ofDays(90);

    private final CareTeamRepository repository;
    private final AccessGateway gateway;
    private final CareRelationships relationships;
    private final OrganizationService organization;
    private final VersionLog versions;
    private final Clock clock;

    CareTeamService(CareTeamRepository repository, AccessGateway gateway, CareRelationships relationships, OrganizationService organization,
                    @Qualifier("careVersions") VersionLog careVersions, Clock clock) {
        this.repository = repository;
        this.gateway = gateway;
        this.relationships = relationships;
        this.organization = organization;
        this.versions = careVersions;
        this.clock = clock;
    }

    @Transactional
    public CareTeamMember addMember(Actor actor, long patientId, Long staffId, String role, Instant from, Instant to) {
        actor.requireAnyRole("change care teams", Role.PHYSICIAN, Role.NURSE);
        PatientAccess access = gateway.write(actor, patientId, Section.ENCOUNTERS, AuditAction.CREATE, AuditResource.CareTeam, null, "version 1");
        PatientFacts patient = access.patient().requireActive();
        StaffMember member = colleague(staffId, patient.facilityId(), "staffId");
        String r = Texts.clean(role);
        if (r == null || r.length() > 80) {
            throw new InvalidInputException("role", "say the member's role in this patient's care (at most 80 characters)");
        }
        Instant now = clock.instant();
        Instant start = from == null ? now : from;
        if (to != null && !to.isAfter(start)) {
            throw new InvalidInputException("to", "must be after the start of the period");
        }
        if (repository.activeMember(access, member.id(), start)) {
            throw new ConflictException("already-member", member.displayName() + " is already on this patient's care team");
        }
        long id = repository.insertMember(access, member.id(), r, start, to, actor.staffId(), now);
        CareTeamMember created = repository.member(access, id).orElseThrow();
        versions.record("care_team_member", id, 1, created.facilityId(), created.patientId(), actor.staffId(), "added: " + r, created, now);
        return created;
    }

    @Transactional
    public CareTeamMember endMember(Actor actor, long memberId, int expectedVersion, String reason) {
        actor.requireAnyRole("change care teams", Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Located m = Located.of(repository.locateMember(memberId), CareTeamRepository.STATUSES)
                .orElseThrow(() -> new NotFoundException("No care team member " + memberId));
        PatientAccess access = gateway.write(actor, m.patientId(), Section.ENCOUNTERS, AuditAction.STATUS, AuditResource.CareTeam, memberId,
                m.changeTo("ENDED"));
        if (!"ACTIVE".equals(m.status())) {
            throw new ConflictException("member-ended", "This membership already ended");
        }
        Instant now = clock.instant();
        if (!repository.endMember(access, memberId, expectedVersion, now, "ENDED")) {
            throw ConflictException.stale(memberId, expectedVersion, m.version());
        }
        CareTeamMember ended = repository.member(access, memberId).orElseThrow();
        versions.record("care_team_member", memberId, ended.version(), ended.facilityId(), ended.patientId(), actor.staffId(),
                "ended: " + why, ended, now);
        return ended;
    }

    /** Why the actor is involved in this patient's care now, if at all: it reveals nothing of the record. */
    public java.util.Optional<CareRelationship> myRelationship(Actor actor, long patientId) {
        // The answer names the patient (it exists, and whether the actor's work covers it): audited and charged as such.
        if (gateway.explanation(actor, patientId, AuditResource.CareRelationship).isEmpty()) {
            return java.util.Optional.empty();
        }
        return relationships.between(actor.staffId(), actor.unitIds(), patientId, clock.instant());
    }

    public List<CareTeamMember> team(Actor actor, long patientId) {
        requireReader(actor);
        return repository.team(gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.CareTeam, null));
    }

    /** The care team under an access already granted and audited (a search answering it beside other records). */
    public List<CareTeamMember> team(PatientAccess granted) {
        return repository.team(granted.require(Section.ENCOUNTERS));
    }

    /** The patients whose care team the actor is on now. */
    public Listing.Of<Long> myCareTeamPatients(Actor actor, int limit) {
        // With the facility, so that the list is charged to the guard (canaries included) like every other list.
        List<CareTeamRepository.Membership> memberships = repository.patientsOf(gateway.permitList(actor, AuditResource.CareTeam),
                clock.instant(), limit);
        return new Listing.Of<>(memberships.stream().map(CareTeamRepository.Membership::patientId).toList(),
                gateway.listed(actor, AuditResource.CareTeam, Section.ENCOUNTERS, memberships.stream()
                        .map(m -> new AccessGateway.Listed(m.patientId(), m.facilityId(), AuditReason.CARE_TEAM)).toList()));
    }

    @Transactional
    public Referral refer(Actor actor, long patientId, Long toStaffId, Integer toUnitId, String reason, Instant from, Instant to) {
        actor.requireAnyRole("refer patients", Role.PHYSICIAN);
        PatientAccess access = gateway.write(actor, patientId, Section.ENCOUNTERS, AuditAction.CREATE, AuditResource.Referral, null, "version 1");
        PatientFacts patient = access.patient().requireActive();
        if ((toStaffId == null) == (toUnitId == null)) {
            throw new InvalidInputException("toStaffId", "refer to exactly one practitioner (toStaffId) or one unit (toUnitId)");
        }
        if (toStaffId != null) {
            StaffMember to2 = colleague(toStaffId, patient.facilityId(), "toStaffId");
            if (to2.id() == actor.staffId()) {
                throw new InvalidInputException("toStaffId", "you cannot refer a patient to yourself");
            }
        } else {
            CareUnit unit = organization.unit(toUnitId).orElseThrow(() -> new InvalidInputException("toUnitId", "no unit " + toUnitId));
            if (unit.facilityId() != patient.facilityId()) {
                throw new InvalidInputException("toUnitId", "the unit is in another facility than the patient's record");
            }
        }
        String why = Texts.clean(reason);
        if (why == null) {
            throw new InvalidInputException("reason", "say what the referral asks for");
        }
        Instant now = clock.instant();
        Instant start = from == null ? now : from;
        Instant end = to == null ? start.plus(DEFAULT_REFERRAL) : to;
        if (!end.isAfter(start)) {
            throw new InvalidInputException("to", "must be after the start of the period");
        }
        if (Duration.between(start, end).compareTo(Duration.ofDays(366)) > 0) {
            throw new InvalidInputException("to", "a referral lasts at most a year");
        }
        long id = repository.insertReferral(access, actor.staffId(), toStaffId, toUnitId, why, start, end, now);
        Referral created = repository.referral(access, id).orElseThrow();
        versions.record("referral", id, 1, created.facilityId(), created.patientId(), actor.staffId(), "referred: " + why, created, now);
        return created;
    }

    @Transactional
    public Referral closeReferral(Actor actor, long referralId, int expectedVersion, boolean completed, String reason) {
        actor.requireAnyRole("close referrals", Role.PHYSICIAN);
        String why = Texts.requireReason(reason);
        Located r = Located.of(repository.locateReferral(referralId), CareTeamRepository.STATUSES)
                .orElseThrow(() -> new NotFoundException("No referral " + referralId));
        String to = completed ? "COMPLETED" : "CANCELLED";
        PatientAccess access = gateway.write(actor, r.patientId(), Section.ENCOUNTERS, AuditAction.STATUS, AuditResource.Referral, referralId,
                r.changeTo(to));
        if (!"ACTIVE".equals(r.status())) {
            throw new ConflictException("referral-closed", "This referral is already " + r.status());
        }
        if (!repository.closeReferral(access, referralId, expectedVersion, to)) {
            throw ConflictException.stale(referralId, expectedVersion, r.version());
        }
        Referral closed = repository.referral(access, referralId).orElseThrow();
        versions.record("referral", referralId, closed.version(), closed.facilityId(), closed.patientId(), actor.staffId(),
                (completed ? "completed: " : "cancelled: ") + why, closed, clock.instant());
        return closed;
    }

    public List<Referral> referrals(Actor actor, long patientId) {
        requireReader(actor);
        return repository.referrals(gateway.read(actor, patientId, Section.ENCOUNTERS, AuditResource.Referral, null));
    }

    private StaffMember colleague(Long staffId, int facilityId, String field) {
        StaffMember m = StaffInput.named(organization, staffId, field, "is required");
        if (!m.facilityIds().contains(facilityId) || !(m.hasRole(Role.PHYSICIAN) || m.hasRole(Role.NURSE))) {
            throw new InvalidInputException(field, m.displayName() + " is not a clinician of the patient's facility");
        }
        return m;
    }

    private static void requireReader(Actor actor) {
        actor.requireAnyRole("see care teams", Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK);
    }
}
