package org.dossier.chart;

import org.dossier.care.Appointment;
import org.dossier.care.Stay;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.Note;
import org.dossier.clinical.Observation;
import org.dossier.clinical.Problem;
import org.dossier.patient.Patient;
import org.dossier.prescribing.MedicationOrder;

import java.util.List;
import java.util.Map;

/**
 * The first screen of a chart. Sections the caller may not see are null and listed in {@code withheld}
 * with the reason, so that a screen can say why instead of showing an empty list. {@code accessReason} is
 * what explains this access (the care relationship, the role, or a break-the-glass grant), as audited.
 */
public record ChartSummary(Patient patient, Stay currentStay, List<Allergy> allergies, List<Problem> activeProblems,
                           List<MedicationOrder> activePrescriptions, List<Observation> latestObservations,
                           List<Appointment> upcomingAppointments, List<Note> recentNotes, Map<Section, String> withheld,
                           String accessReason) {

    /** The parts of a chart, each shown or withheld as a whole. */
    public enum Section { IDENTITY, STAYS, SCHEDULING, ALLERGIES, PROBLEMS, PRESCRIPTIONS, OBSERVATIONS, NOTES }
}
