package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
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

/** Read-only, security officer: the BALP-shaped entries of the audit export, in a window of at most 31 days. */
@Component
class AuditEventProvider extends TypedProvider<AuditEvent> {
    private final AuditEventExport export;
    private final FhirContext fhir;
    private final JsonMapper json;

    AuditEventProvider(AuditEventExport export, FhirContext fhir, JsonMapper json) {
        super(AuditEvent.class);
        this.export = export;
        this.fhir = fhir;
        this.json = json;
    }

    @Search
    public List<AuditEvent> search(@RequiredParam(name = AuditEvent.SP_DATE) DateRangeParam date,
                                   @OptionalParam(name = AuditEvent.SP_PATIENT) ReferenceParam patient,
                                   @OptionalParam(name = AuditEvent.SP_AGENT) ReferenceParam agent,
                                   HttpServletRequest request) {
        if (date.getLowerBoundAsInstant() == null || date.getUpperBoundAsInstant() == null) {
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
}
