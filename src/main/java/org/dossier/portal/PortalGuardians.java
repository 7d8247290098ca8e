package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditResource;
import org.dossier.audit.AuditTrail;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A legal guardian's link from their own portal account to a minor's record (ADR 0050). The front desk of the minor's
 * facility creates and ends it, each a change of the minor's identity section decided and audited by the gateway; the
 * gateway reads the link again at every read the guardian makes (GUARDIAN), and stops honouring it at the 18th birthday.
 */
@Service
public class PortalGuardians {

    /** One link, as the desk and the guardian's home show it. */
    public record Link(long id, long guardianAccountId, long guardianPatientId, String guardianUsername, long minorPatientId,
                       Instant createdAt, Instant endedAt) {

        public boolean held() {
            return endedAt == null;
        }
    }

    private final AccessGateway gateway;
    private final AuditTrail audit;
    private final PortalGuardianRepository links;
    private final Clock clock;

    PortalGuardians(AccessGateway gateway, AuditTrail audit, PortalGuardianRepository links, Clock clock) {
        this.gateway = gateway;
        this.audit = audit;
        this.links = links;
        this.clock = clock;
    }

    /**
     * Links the active portal account of the guardian's own record to the minor's record. Refused: the minor is 18 or over
     * (409), the guardian has no active account in the minor's facility (409), the guardian is the minor (422), a desk of
     * another facility (404, the gateway's answer).
     */
    @Transactional
    public Link link(Actor desk, long minorId, Long guardianPatientId) {
        PatientAccess minor = gateway.write(desk, minorId, Section.IDENTITY, AuditAction.CREATE, AuditResource.PortalGuardianLink,
                minorId, "a legal guardian's link from patient " + guardianPatientId + "'s portal account", Role.FRONT_DESK);
        minor.patient().requireActive();
        if (guardianPatientId == null) {
            throw new InvalidInputException("guardianPatientId", "name the guardian by their own patient record's number");
        }
        if (guardianPatientId == minorId) {
            throw new InvalidInputException("guardianPatientId", "a patient is not their own guardian: name the guardian's record");
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), clock.getZone());
        if (minor.patient().birthDate() == null || !today.isBefore(minor.patient().birthDate().plusYears(18))) {
            throw refused(desk, minor, "patient-not-minor", "Patient " + minorId + " is 18 or over (or has no birth date on record): "
                    + "a guardian's link is made for a minor only; an adult enrols their own account");
        }
        long account = links.activeAccountOf(guardianPatientId).orElseThrow(() -> refused(desk, minor, "guardian-not-active",
                "Patient " + guardianPatientId + " has no active portal account in this facility: the guardian enrols first "
                        + "(a code from the desk), then the desk links the account"));
        Instant now = clock.instant();
        long id = links.create(minor, account, desk.staffId(), now).orElseThrow(() -> refused(desk, minor, "guardian-already-linked",
                "Patient " + guardianPatientId + "'s account already holds a link to this record"));
        return links.ofMinor(minor).stream().filter(l -> l.id() == id).findFirst().orElseThrow();
    }

    /** Ends a held link (the desk of the minor's facility): the guardian's next request for the minor's record is refused. */
    @Transactional
    public void end(Actor desk, long minorId, long linkId) {
        PatientAccess minor = gateway.write(desk, minorId, Section.IDENTITY, AuditAction.UPDATE, AuditResource.PortalGuardianLink,
                linkId, "a legal guardian's link ended", Role.FRONT_DESK);
        if (!links.end(minor, linkId, desk.staffId(), clock.instant())) {
            throw new NotFoundException("No held guardian's link " + linkId + " to patient " + minorId);
        }
    }

    /** The minor's links, held and ended, for the desk: a read of the identity section, decided and audited by the gateway. */
    public List<Link> ofMinor(Actor desk, long minorId) {
        return links.ofMinor(gateway.read(desk, minorId, Section.IDENTITY, AuditResource.PortalGuardianLink, minorId));
    }

    /** The minors' records a signed-in account looks after (its held links), and the one its session acts for, if any. */
    public record Guardianship(List<Long> minors, Long actingFor) {
    }

    /**
     * The links the signed-in account holds, for its home and for switching records: the account's own links only (no
     * record is read here; each record is read, and audited GUARDIAN, when the guardian opens it).
     */
    public Guardianship guardianship(Actor account, Long actingFor) {
        return new Guardianship(links.minorsOf(-account.staffId()), actingFor);
    }

    /** A refused link, written to the trail after the gateway's entry, so that the trail does not tell of a link that never was. */
    private ConflictException refused(Actor desk, PatientAccess minor, String code, String message) {
        audit.append(AuditRecord.at(clock.instant()).actor(desk).facility(minor.patient().facilityId()).action(AuditAction.CREATE)
                .patient(minor.patientId()).resource(AuditResource.PortalGuardianLink, null).decision(AuditRecord.Decision.DENY, null)
                .detail(code).request(org.slf4j.MDC.get("requestId")).build());
        return new ConflictException(code, message, Map.of());
    }
}
