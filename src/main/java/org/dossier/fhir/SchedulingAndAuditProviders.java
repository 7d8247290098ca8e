package org.dossier.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.audit.AuditEventExport;
import org.dossier.care.SchedulingService;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.Date;
import java.util.List;
import java.util.Map;

/** Appointments (through the scheduling service) and, for the security officer, the audit trail as AuditEvent. */
final class SchedulingAndAuditProviders {

    private SchedulingAndAuditProviders() {
    }

    @Component
    static class AppointmentProvider implements IResourceProvider {
        private final SchedulingService scheduling;
        private final FhirCalls calls;

        AppointmentProvider(SchedulingService scheduling, FhirCalls calls) {
            this.scheduling = scheduling;
            this.calls = calls;
        }

        @Override
        public Class<Appointment> getResourceType() {
            return Appointment.class;
        }

        /** Read, and vread of the versions we keep. */
        @Read(version = true)
        public Appointment read(@IdParam IdType id, HttpServletRequest request) {
            if (id.hasVersionIdPart()) {
                return ClinicalProviders.version(history(id, request), id);
            }
            return calls.as(request, actor -> {
                var a = scheduling.readDated(actor, FhirCalls.id(id));
                return ClinicalProviders.changedAt(appointment(a.record()), a.recordedAt());
            });
        }

        @ca.uhn.fhir.rest.annotation.History
        public List<Appointment> history(@IdParam IdType id, HttpServletRequest request) {
            return calls.as(request, actor -> scheduling.history(actor, FhirCalls.id(id)).stream().map(v -> {
                Appointment r = appointment(v.record());
                r.getMeta().setVersionId(Integer.toString(v.version())).setLastUpdated(java.util.Date.from(v.recordedAt()));
                return r;
            }).toList());
        }

        /**
         * Books an appointment (front desk, or a clinician): the patient and the practitioner as participants, the
         * start in one of the practitioner's free slots, the reason as {@code description} (or a reason code's text).
         */
        @ca.uhn.fhir.rest.annotation.Create
        public ca.uhn.fhir.rest.api.MethodOutcome create(@ca.uhn.fhir.rest.annotation.ResourceParam Appointment r, HttpServletRequest request) {
            Long patient = null;
            Long practitioner = null;
            for (var p : r.getParticipant()) {
                var ref = p.getActor().getReferenceElement();
                if ("Patient".equals(ref.getResourceType()) && ref.isIdPartValidLong()) {
                    patient = ref.getIdPartAsLong();
                } else if ("Practitioner".equals(ref.getResourceType()) && ref.isIdPartValidLong()) {
                    practitioner = ref.getIdPartAsLong();
                }
            }
            if (patient == null || practitioner == null) {
                throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException(
                        "participant: a Patient/<id> and a Practitioner/<id> of this server are required");
            }
            if (!r.hasStart()) {
                throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("start is required");
            }
            String reason = r.hasDescription() ? r.getDescription() : r.hasReasonCode() ? r.getReasonCodeFirstRep().getText() : null;
            Long who = patient;
            Long with = practitioner;
            return calls.as(request, actor -> ClinicalProviders.created(appointment(scheduling.book(actor, who, with,
                    r.getStart().toInstant(), reason))));
        }

        @Search
        public List<Appointment> byPatient(@RequiredParam(name = Appointment.SP_PATIENT) ReferenceParam patient, HttpServletRequest request) {
            return calls.as(request, actor -> scheduling.ofPatient(actor, ClinicalProviders.patientOf(patient)).stream()
                    .map(AppointmentProvider::appointment).toList());
        }

        static Appointment appointment(org.dossier.care.Appointment a) {
            Appointment r = new Appointment();
            r.setId(Long.toString(a.id()));
            r.getMeta().setVersionId(Integer.toString(a.version()));
            r.setStatus(switch (a.status()) {
                case BOOKED -> Appointment.AppointmentStatus.BOOKED;
                case CANCELLED, RESCHEDULED -> Appointment.AppointmentStatus.CANCELLED;
                case NO_SHOW -> Appointment.AppointmentStatus.NOSHOW;
                case COMPLETED -> Appointment.AppointmentStatus.FULFILLED;
            });
            r.setStart(Date.from(a.startAt()));
            r.setEnd(Date.from(a.endAt()));
            r.setDescription(a.reason());
            r.addParticipant().setActor(new Reference("Patient/" + a.patientId())).setStatus(Appointment.ParticipationStatus.ACCEPTED);
            r.addParticipant().setActor(new Reference("Practitioner/" + a.practitionerId())).setStatus(Appointment.ParticipationStatus.ACCEPTED);
            r.addParticipant().setActor(new Reference("Location/" + a.unitId())).setStatus(Appointment.ParticipationStatus.ACCEPTED);
            return r;
        }
    }

    /** Read-only, security officer: the BALP-shaped entries of the audit export, in a window of at most 31 days. */
    @Component
    static class AuditEventProvider implements IResourceProvider {
        private final AuditEventExport export;
        private final FhirCalls calls;
        private final FhirContext fhir;
        private final JsonMapper json;

        AuditEventProvider(AuditEventExport export, FhirCalls calls, FhirContext fhir, JsonMapper json) {
            this.export = export;
            this.calls = calls;
            this.fhir = fhir;
            this.json = json;
        }

        @Override
        public Class<AuditEvent> getResourceType() {
            return AuditEvent.class;
        }

        @Search
        public List<AuditEvent> search(@RequiredParam(name = AuditEvent.SP_DATE) DateRangeParam date,
                                       @OptionalParam(name = AuditEvent.SP_PATIENT) ReferenceParam patient,
                                       @OptionalParam(name = AuditEvent.SP_AGENT) ReferenceParam agent,
                                       HttpServletRequest request) {
            if (date.getLowerBoundAsInstant() == null || date.getUpperBoundAsInstant() == null) {
                throw new InvalidRequestException("date needs both bounds, e.g. date=ge2026-11-28&date=lt2026-11-29 (31 days at most)");
            }
            Long patientId = patient == null ? null : ClinicalProviders.patientOf(patient);
            Long agentId = agent == null || agent.getIdPart() == null || !agent.getIdPart().matches("\\d+") ? null : Long.parseLong(agent.getIdPart());
            return calls.as(request, actor -> {
                Map<String, Object> bundle = export.bundle(actor, date.getLowerBoundAsInstant().toInstant(),
                        date.getUpperBoundAsInstant().toInstant(), patientId, agentId);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> entries = (List<Map<String, Object>>) bundle.get("entry");
                return entries.stream().map(e -> fhir.newJsonParser().parseResource(AuditEvent.class, json.writeValueAsString(e.get("resource"))))
                        .toList();
            });
        }
    }
}
