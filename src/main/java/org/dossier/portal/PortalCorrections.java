package org.dossier.portal;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditRecord;
import org.dossier.audit.AuditReports;
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
import java.util.List;
import java.util.Map;

/**
 * "Request a correction" (ADR 0040): the patient asks, from the portal, that their identity or contacts be corrected; the
 * request waits in the front desk's queue (the desk registers and corrects identities here); the desk answers it (done or
 * declined, with a sentence) and the patient sees the answer. Every step goes through the gateway and the trail.
 */
@Service
public class PortalCorrections {

    static final int MAX_TEXT = 1000;
    static final int MAX_OPEN = 5;

    private final AccessGateway gateway;
    private final AuditTrail audit;
    private final AuditReports trailReports;
    private final PortalCorrectionRepository corrections;
    private final PortalCorrectionQueueRepository queue;
    private final Clock clock;

    PortalCorrections(AccessGateway gateway, AuditTrail audit, AuditReports trailReports, PortalCorrectionRepository corrections,
                      PortalCorrectionQueueRepository queue, Clock clock) {
        this.gateway = gateway;
        this.audit = audit;
        this.trailReports = trailReports;
        this.corrections = corrections;
        this.queue = queue;
        this.clock = clock;
    }

    /** The patient files a request about their own record; a read decided for the patient themself, then audited as the change it is. */
    @Transactional
    public long request(Actor actor, PortalCorrection.About about, String message) {
        if (about == null) {
            throw new InvalidInputException("about", "choose what is to be corrected: IDENTITY or CONTACTS");
        }
        String text = message == null ? "" : message.strip();
        if (text.isEmpty() || text.length() > MAX_TEXT) {
            throw new InvalidInputException("message", "say what is wrong and what it should be (1 to " + MAX_TEXT + " characters)");
        }
        long patientId = PortalRecord.ownPatient(actor);
        PatientAccess own = PortalRecord.requireThePatientThemself(
                gateway.read(actor, patientId, Section.IDENTITY, AuditResource.PortalCorrection, patientId));
        if (corrections.ofPatient(own).stream().filter(c -> c.status() == PortalCorrection.Status.OPEN).count() >= MAX_OPEN) {
            throw new InvalidInputException("message", "you already have " + MAX_OPEN + " requests waiting: the front desk will answer them first");
        }
        Instant now = clock.instant();
        long id = corrections.file(own, -actor.staffId(), about, text, now);
        audit.append(AuditRecord.at(now).actor(actor).facility(own.patient().facilityId()).action(AuditAction.CREATE)
                .patient(patientId).resource(AuditResource.PortalCorrection, id).decision(AuditRecord.Decision.INFO, null)
                .detail("correction of " + about + " requested by the patient").request(org.slf4j.MDC.get("requestId")).build());
        return id;
    }

    /** The patient's own requests, read under the proof of the page that shows them. */
    public List<PortalCorrection> mine(PatientAccess own) {
        return corrections.ofPatient(own);
    }

    /** The desk's view of one patient's requests: a read of the identity section, decided and audited by the gateway. */
    public List<PortalCorrection> ofPatient(Actor desk, long patientId) {
        return corrections.ofPatient(gateway.read(desk, patientId, Section.IDENTITY, AuditResource.PortalCorrection, patientId));
    }

    /** The desk's queue of its facilities' open requests; each record it names is written to the trail (OVERSEE). */
    public List<PortalCorrection.Waiting> queue(Actor desk) {
        desk.requireAnyRole("see the patients' correction requests", Role.FRONT_DESK);
        List<PortalCorrection.Waiting> waiting = queue.open(desk.facilityIds());
        trailReports.oversaw(desk, AuditResource.PortalCorrection, waiting.stream().map(PortalCorrection.Waiting::patientId).toList());
        return waiting;
    }

    /** The desk answers a request (done or declined, with a sentence for the patient): a change of the identity section. */
    @Transactional
    public PortalCorrection answer(Actor desk, long patientId, long id, PortalCorrection.Status status, String answer) {
        if (status == null || status == PortalCorrection.Status.OPEN) {
            throw new InvalidInputException("status", "choose DONE or DECLINED");
        }
        String text = org.dossier.platform.Texts.requireReason(answer);
        PatientAccess access = gateway.write(desk, patientId, Section.IDENTITY, AuditAction.STATUS, AuditResource.PortalCorrection, id,
                "correction request " + status, Role.FRONT_DESK);
        corrections.find(access, id).orElseThrow(() -> new NotFoundException("No correction request " + id));
        if (!corrections.answer(access, id, status, text, desk.staffId(), clock.instant())) {
            throw new ConflictException("correction-answered", "This request was already answered", Map.of("id", id));
        }
        return corrections.find(access, id).orElseThrow();
    }
}
