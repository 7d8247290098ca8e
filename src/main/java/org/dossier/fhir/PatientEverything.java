package org.dossier.fhir;

import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.care.SchedulingService;
import org.dossier.care.StayService;
import org.dossier.chart.ChartService;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.DocumentService;
import org.dossier.clinical.ImmunizationService;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.ProblemService;
import org.dossier.clinical.ProcedureService;
import org.dossier.clinical.ReceivedRecord;
import org.dossier.clinical.ReceivedRecordService;
import org.dossier.organization.Actor;
import org.dossier.patient.PatientService;
import org.dossier.prescribing.PrescriptionService;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code Patient/{id}/$everything}: the chart opened once through the gateway (one decision, one audit entry, one
 * charge, as opening the chart), then every section that decision grants read under it. What the caller's roles do
 * not see is not sent, not even as an empty section: the front desk gets the identity, stays and appointments. A
 * SMART app gets only the types its scopes cover.
 */
@Component
class PatientEverything {

    private final ChartService chart;
    private final PatientService patients;
    private final StayService stays;
    private final SchedulingService scheduling;
    private final AllergyService allergies;
    private final ProblemService problems;
    private final PrescriptionService prescriptions;
    private final ObservationService observations;
    private final ReceivedRecordService received;
    private final ProcedureService procedures;
    private final ImmunizationService immunizations;
    private final DocumentService documents;

    PatientEverything(ChartService chart, PatientService patients, StayService stays, SchedulingService scheduling,
                      AllergyService allergies, ProblemService problems, PrescriptionService prescriptions,
                      ObservationService observations, ReceivedRecordService received, ProcedureService procedures,
                      ImmunizationService immunizations, DocumentService documents) {
        this.chart = chart;
        this.patients = patients;
        this.stays = stays;
        this.scheduling = scheduling;
        this.allergies = allergies;
        this.problems = problems;
        this.prescriptions = prescriptions;
        this.observations = observations;
        this.received = received;
        this.procedures = procedures;
        this.immunizations = immunizations;
        this.documents = documents;
    }

    /** The patient first, then what each granted section holds; a refusal (403/404) is the gateway's, audited there. */
    List<Resource> of(Actor actor, long patientId) {
        return under(chart.open(actor, patientId));
    }

    /** Everything {@code access} grants of its patient, read under that one decision (no second door). */
    List<Resource> under(PatientAccess access) {
        List<Resource> all = new ArrayList<>();
        all.add(PatientMapping.patient(patients.read(access)));
        if (access.permits(Section.ENCOUNTERS)) {
            StayService.Encounters found = stays.encounters(access);
            found.stays().forEach(s -> all.add(EncounterProvider.encounter(s)));
            found.history().forEach(e -> all.add(EncounterProvider.encounter(e)));
        }
        if (access.permits(Section.SCHEDULING)) {
            scheduling.ofPatient(access).forEach(a -> all.add(AppointmentProvider.appointment(a)));
        }
        if (access.permits(Section.CLINICAL)) {
            problems.ofPatient(access, false).forEach(p -> all.add(ConditionProvider.condition(p)));
            allergies.ofPatient(access, false).forEach(a -> all.add(AllergyIntoleranceProvider.allergy(a)));
            observations.all(access).forEach(o -> all.add(ObservationProvider.observation(o)));
            procedures.ofPatient(access).forEach(p -> all.add(ProcedureProvider.procedure(p)));
            immunizations.ofPatient(access).forEach(i -> all.add(ImmunizationProvider.immunization(i)));
            // The documents filed here (numeric ids); those other systems sent come with the received records below.
            documents.ofPatient(access).forEach(d -> all.add(DocumentReferenceProvider.document(d)));
            // What other systems sent, kept as sent (ADR 0026): reports, notes, care plans…
            received.ofPatient(access, List.copyOf(ReceivedRecord.TYPES)).forEach(r -> all.add(ReceivedProvider.served(r)));
        }
        if (access.permits(Section.PRESCRIPTIONS)) {
            prescriptions.ofPatient(access, false).forEach(o -> all.add(MedicationRequestProvider.medicationRequest(o)));
        }
        // A SMART app gets only the types its scopes read (a patient/Patient.r scope is not the whole chart).
        all.removeIf(r -> !SmartScopes.covers(r.fhirType()));
        return all;
    }
}
