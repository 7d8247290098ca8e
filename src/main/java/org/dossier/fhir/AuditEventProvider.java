package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.audit.AuditEventExport;
import org.dossier.organization.Actor;
import org.hl7.fhir.r4.model.AuditEvent;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

/**
 * Read-only. The security officer: the BALP-shaped entries of the audit export, in a window of at most 31 days. A patient's
 * app (ADR 0045): the accesses of others to the patient's own record, as the portal's "who opened my record".
 */
@Component
class AuditEventProvider extends TypedProvider<AuditEvent> {
    private final AuditEventExport export;
    private final FhirContext fhir;
    private final JsonMapper json;
    private final org.dossier.portal.PortalApps patients;

    AuditEventProvider(AuditEventExport export, FhirContext fhir, JsonMapper json, org.dossier.portal.PortalApps patients) {
        super(AuditEvent.class);
        this.export = export;
        this.fhir = fhir;
        this.json = json;
        this.patients = patients;
    }

    @Search
    public List<AuditEvent> search(@OptionalParam(name = AuditEvent.SP_DATE) DateRangeParam date,
                                   @OptionalParam(name = AuditEvent.SP_PATIENT) ReferenceParam patient,
                                   @OptionalParam(name = AuditEvent.SP_AGENT) ReferenceParam agent,
                                   HttpServletRequest request) {
        if (FhirActor.current(request).hasRole(org.dossier.organization.Role.PATIENT)) {
            return ownAccesses(date, patient, request);
        }
        if (date == null || date.getLowerBoundAsInstant() == null || date.getUpperBoundAsInstant() == null) {
            throw new InvalidRequestException("date needs both bounds, e.g. date=ge2026-11-28&date=lt2026-11-29 (31 days at most)");
        }
        Long patientId = patient == null ? null : PatientReference.patientOf(patient);
        Long agentId = agent == null || agent.getIdPart() == null || !agent.getIdPart().matches("\\d+") ? null : Long.parseLong(agent.getIdPart());
        Actor actor = FhirActor.current(request);
        Map<String, Object> bundle = export.bundle(actor, date.getLowerBoundAsInstant().toInstant(),
                date.getUpperBoundAsInstant().toInstant(), patientId, agentId);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) bundle.get("entry");
        return entries.stream().map(e -> fhir.newJsonParser().parseResource(AuditEvent.class, json.writeValueAsString(e.get("resource"))))
                .toList();
    }

    /**
     * A patient's app (ADR 0045): the accesses of others to the patient's own record, as "who opened my record" shows them;
     * {@code patient} is required and must be their own (another is answered as missing, and audited, by the gateway).
     */
    private List<AuditEvent> ownAccesses(DateRangeParam date, ReferenceParam patient, HttpServletRequest request) {
        Long patientId = patient == null ? null : PatientReference.patientOf(patient);
        if (patientId == null) {
            throw new InvalidRequestException("A patient's app asks for the accesses to its own record: AuditEvent?patient=Patient/<id>");
        }
        var lines = patients.accesses(FhirActor.current(request), patientId, org.dossier.portal.PortalApps.MAX_ACCESSES);
        return OwnAccessEvents.of(patientId, lines, date == null || date.getLowerBoundAsInstant() == null ? null
                : date.getLowerBoundAsInstant().toInstant(), date == null || date.getUpperBoundAsInstant() == null ? null
                : date.getUpperBoundAsInstant().toInstant());
    }
}
