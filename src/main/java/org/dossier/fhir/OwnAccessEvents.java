package org.dossier.fhir;

import org.dossier.audit.AuditReports;
import org.dossier.portal.PortalCases;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;

import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A patient's own AuditEvents (ADR 0045): "who opened my record" as a patient's app reads it over FHIR — the same lines
 * as the portal shows, from the chained trail, with the staff member's roles and units and never their name or account.
 */
final class OwnAccessEvents {

    static final String ROLES = "urn:dossier:staff-role";
    static final String REASONS = "urn:dossier:access-reason";
    static final String CHANNELS = "urn:dossier:channel";

    private OwnAccessEvents() {
    }

    /** The lines recorded within [from, to) when given, as AuditEvents. */
    static List<AuditEvent> of(long patientId, List<PortalCases.AccessLine> lines, Instant from, Instant to) {
        return lines.stream().filter(l -> (from == null || !l.entry().at().isBefore(from)) && (to == null || l.entry().at().isBefore(to)))
                .map(l -> event(patientId, l)).toList();
    }

    private static AuditEvent event(long patientId, PortalCases.AccessLine line) {
        AuditReports.AccessToMyRecord e = line.entry();
        AuditEvent event = new AuditEvent();
        event.setId(Long.toString(e.seq()));
        event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"));
        event.setAction(switch (e.action() == null ? "" : e.action()) {
            case "create" -> AuditEvent.AuditEventAction.C;
            case "update", "status", "merge" -> AuditEvent.AuditEventAction.U;
            case "delete" -> AuditEvent.AuditEventAction.D;
            default -> AuditEvent.AuditEventAction.R;
        });
        event.setRecorded(Date.from(e.at()));
        event.setOutcome(AuditEvent.AuditEventOutcome._0);
        var purpose = event.addPurposeOfEvent();
        if (e.purpose() != null) {
            purpose.addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", e.purpose(), null));
        }
        purpose.addCoding(new Coding(REASONS, e.reasonCode(), line.breakGlassReason()));
        // Who: roles and units only (the hospital's policy shows patients no staff names, ADR 0039).
        AuditEvent.AuditEventAgentComponent agent = event.addAgent().setRequestor(true);
        for (String role : e.actorRoles() == null ? new String[0] : e.actorRoles().split("[,/ ]+")) {
            if (!role.isBlank()) {
                agent.addRole().addCoding(new Coding(ROLES, role, null));
            }
        }
        if (!line.units().isEmpty()) {
            agent.setLocation(new Reference().setDisplay(String.join(", ", line.units())));
        }
        event.getSource().setObserver(new Reference().setDisplay("Dossier"))
                .addType(new Coding(CHANNELS, e.channel() == null ? "unknown" : e.channel(), null));
        event.addEntity().setWhat(new Reference("Patient/" + patientId)).setDescription(e.sections());
        return event;
    }
}
