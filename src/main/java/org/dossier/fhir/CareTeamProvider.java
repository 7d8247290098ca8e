package org.dossier.fhir;

import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateAndListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import org.dossier.care.CareTeamMember;
import org.dossier.care.CareTeamService;
import org.dossier.clinical.ReceivedRecordService;
import org.dossier.organization.Actor;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * CareTeam: a patient's care team as it is now (its id is the patient's), and care teams other systems sent, kept as
 * sent.
 */
@Component
class CareTeamProvider extends TypedProvider<CareTeam> {
    private final CareTeamService teams;
    private final ReceivedRecordService received;
    private final org.dossier.chart.ChartService chart;

    CareTeamProvider(CareTeamService teams, ReceivedRecordService received, org.dossier.chart.ChartService chart) {
        super(CareTeam.class);
        this.teams = teams;
        this.received = received;
        this.chart = chart;
    }

    /**
     * A patient's care team has the patient's id: CareTeam/123 is the team of Patient/123. A care team another system
     * sent is kept as sent (ADR 0026), with an id {@code r<n>}, and has its versions.
     */
    @Read(version = true)
    public CareTeam read(@IdParam IdType id, HttpServletRequest request) {
        if (ReceivedProvider.isReceived(id)) {
            if (id.hasVersionIdPart()) {
                return Versions.version(history(id, request), id);
            }
            long n = ReceivedProvider.id(id);
            Actor actor = FhirActor.current(request);
            var r = received.readDated(actor, "CareTeam", n);
            return Versions.changedAt(ReceivedProvider.served(r.record(), CareTeam.class), r.recordedAt());
        }
        if (id.hasVersionIdPart()) {
            throw new ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException("A patient's care team is read as it is now: "
                    + "CareTeam/" + id.getIdPart() + " has no versions");
        }
        Actor actor = FhirActor.current(request);
        long patient = FhirIds.id(id);
        return careTeam(patient, teams.team(actor, patient));
    }

    /** The versions of a care team another system sent (the team of a patient here is read as it is now). */
    @History
    public List<CareTeam> history(@IdParam IdType id, HttpServletRequest request) {
        long n = ReceivedProvider.id(id);
        Actor actor = FhirActor.current(request);
        return received.history(actor, "CareTeam", n).stream()
                .map(v -> Versions.versioned(ReceivedProvider.served(v.record(), CareTeam.class), v.version(), v.recordedAt())).toList();
    }

    /**
     * The patient's team here and, for who may read the clinical record, the care teams other systems sent, by
     * {@code date} (their period), {@code category} and {@code status}: one gateway decision (the chart opened once).
     */
    @Search
    public List<CareTeam> byPatient(@RequiredParam(name = CareTeam.SP_PATIENT) ReferenceParam patient,
                                    @OptionalParam(name = CareTeam.SP_DATE) DateAndListParam date,
                                    @OptionalParam(name = CareTeam.SP_CATEGORY) TokenAndListParam category,
                                    @OptionalParam(name = CareTeam.SP_STATUS) TokenAndListParam status,
                                    HttpServletRequest request) {
        long id = PatientReference.patientOf(patient);
        FhirSearch.check(category, status);
        Actor actor = FhirActor.current(request);
        if (date == null && category == null && status == null && !org.dossier.chart.ChartService.sectionsOf(actor)
                .contains(org.dossier.access.Section.CLINICAL)) {
            return List.of(careTeam(id, teams.team(actor, id))); // who reads no clinical record: the team here, as ever
        }
        org.dossier.access.PatientAccess access = chart.open(actor, id);
        List<CareTeam> all = new java.util.ArrayList<>();
        if (access.permits(org.dossier.access.Section.ENCOUNTERS)) {
            all.add(careTeam(id, teams.team(access)));
        }
        if (access.permits(org.dossier.access.Section.CLINICAL)) {
            received.ofPatient(access, List.of("CareTeam")).forEach(r -> all.add(ReceivedProvider.served(r, CareTeam.class)));
        }
        return all.stream().filter(r -> FhirSearch.matches(date, r.hasPeriod() ? FhirSearch.Span.of(r.getPeriod()) : null)
                && FhirSearch.matches(category, r.getCategory())
                && FhirSearch.matches(status, ReceivedProvider.status(r.getStatusElement()))).toList();
    }

    static CareTeam careTeam(long patientId, List<CareTeamMember> members) {
        CareTeam r = new CareTeam();
        r.setId(Long.toString(patientId));
        r.setStatus(CareTeam.CareTeamStatus.ACTIVE);
        r.setSubject(new Reference("Patient/" + patientId));
        r.setName("Care team");
        for (CareTeamMember m : members) {
            Period period = new Period().setStart(Date.from(m.periodStart()));
            if (m.periodEnd() != null) {
                period.setEnd(Date.from(m.periodEnd()));
            }
            r.addParticipant().setMember(new Reference("Practitioner/" + m.staffId())).addRole(new CodeableConcept().setText(m.role()))
                    .setPeriod(period);
        }
        return r;
    }
}
