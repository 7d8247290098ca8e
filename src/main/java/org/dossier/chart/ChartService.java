package org.dossier.chart;

import org.dossier.care.SchedulingService;
import org.dossier.care.StayService;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.NoteService;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.ProblemService;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.patient.Patient;
import org.dossier.patient.PatientService;
import org.dossier.prescribing.PrescriptionService;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.EnumMap;
import java.util.Map;

import static org.dossier.chart.ChartSummary.Section;

/**
 * Assembles the chart summary: one call per section, each a constant number of indexed queries, so the
 * cost does not grow with the size of the record.
 */
@Service
public class ChartService {

    private static final int UPCOMING_APPOINTMENTS = 5;
    private static final int RECENT_NOTES = 5;

    private final PatientService patients;
    private final StayService stays;
    private final SchedulingService scheduling;
    private final AllergyService allergies;
    private final ProblemService problems;
    private final PrescriptionService prescriptions;
    private final ObservationService observations;
    private final NoteService notes;

    ChartService(PatientService patients, StayService stays, SchedulingService scheduling, AllergyService allergies,
                 ProblemService problems, PrescriptionService prescriptions, ObservationService observations, NoteService notes) {
        this.patients = patients;
        this.stays = stays;
        this.scheduling = scheduling;
        this.allergies = allergies;
        this.problems = problems;
        this.prescriptions = prescriptions;
        this.observations = observations;
        this.notes = notes;
    }

    @Transactional(readOnly = true)
    public ChartSummary summary(Actor actor, long patientId) {
        Patient patient = patients.read(actor, patientId);
        Map<Section, String> withheld = new EnumMap<>(Section.class);
        boolean clinical = actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE);
        if (!clinical) {
            String why = "clinical sections are for physicians and nurses";
            for (Section s : new Section[]{Section.ALLERGIES, Section.PROBLEMS, Section.PRESCRIPTIONS, Section.OBSERVATIONS, Section.NOTES}) {
                withheld.put(s, why);
            }
        }
        return new ChartSummary(
                patient,
                stays.current(actor, patientId).orElse(null),
                clinical ? allergies.ofPatient(actor, patientId, true) : null,
                clinical ? problems.ofPatient(actor, patientId, true) : null,
                clinical ? prescriptions.ofPatient(actor, patientId, true) : null,
                clinical ? observations.latest(actor, patientId) : null,
                scheduling.upcoming(actor, patientId, UPCOMING_APPOINTMENTS),
                clinical ? notes.ofPatient(actor, patientId, RECENT_NOTES) : null,
                withheld);
    }
}
