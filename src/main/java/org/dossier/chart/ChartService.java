package org.dossier.chart;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
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
    private final AccessGateway gateway;

    ChartService(PatientService patients, StayService stays, SchedulingService scheduling, AllergyService allergies,
                 ProblemService problems, PrescriptionService prescriptions, ObservationService observations, NoteService notes,
                 AccessGateway gateway) {
        this.gateway = gateway;
        this.patients = patients;
        this.stays = stays;
        this.scheduling = scheduling;
        this.allergies = allergies;
        this.problems = problems;
        this.prescriptions = prescriptions;
        this.observations = observations;
        this.notes = notes;
    }

    /** One gateway decision and one audit entry for the whole summary; each section is read under that access. */
    @Transactional(readOnly = true)
    public ChartSummary summary(Actor actor, long patientId) {
        return summary(gateway.openChart(actor, patientId));
    }

    /**
     * Opens a chart for one of its tabs: the gateway decides every section the actor may see, once, and audits it; the
     * tab then reads its sections under that decision.
     */
    public PatientAccess open(Actor actor, long patientId) {
        return gateway.openChart(actor, patientId);
    }

    /** What the actor's roles may see of any record, before relationships (which tabs a screen offers). */
    public static java.util.Set<org.dossier.access.Section> sectionsOf(Actor actor) {
        return AccessGateway.sectionsOf(actor);
    }

    /** The summary under a decision already taken and audited: what the sections cost without the gateway (benchmarks). */
    @Transactional(readOnly = true)
    public ChartSummary summary(PatientAccess access) {
        Actor actor = access.actor();
        Map<Section, String> withheld = new EnumMap<>(Section.class);
        boolean clinical = access.permits(org.dossier.access.Section.CLINICAL);
        boolean prescriptions = access.permits(org.dossier.access.Section.PRESCRIPTIONS);
        boolean encounters = access.permits(org.dossier.access.Section.ENCOUNTERS);
        boolean scheduling = access.permits(org.dossier.access.Section.SCHEDULING);
        String why = AccessGateway.sectionsOf(actor).contains(org.dossier.access.Section.CLINICAL)
                ? "nothing in your work links you to this patient: clinical sections need a care relationship or a break-the-glass"
                : "clinical sections are for physicians and nurses caring for the patient";
        if (!clinical) {
            for (Section s : new Section[]{Section.ALLERGIES, Section.PROBLEMS, Section.OBSERVATIONS, Section.NOTES}) {
                withheld.put(s, why);
            }
        }
        if (!prescriptions) {
            withheld.put(Section.PRESCRIPTIONS, why);
        }
        if (!encounters) {
            withheld.put(Section.STAYS, "stays are not part of what your role sees");
        }
        if (!scheduling) {
            withheld.put(Section.SCHEDULING, "appointments are not part of what your role sees");
        }
        return new ChartSummary(
                patients.read(access),
                encounters ? stays.current(access).orElse(null) : null,
                clinical ? allergies.ofPatient(access, true) : null,
                clinical ? problems.ofPatient(access, true) : null,
                prescriptions ? this.prescriptions.ofPatient(access, true) : null,
                clinical ? observations.latest(access) : null,
                scheduling ? this.scheduling.upcoming(access, UPCOMING_APPOINTMENTS) : null,
                clinical ? notes.ofPatient(access, RECENT_NOTES) : null,
                withheld,
                access.reasonCode());
    }
}
