package org.dossier.chart;

import org.dossier.access.AccessGateway;
import org.dossier.access.PatientAccess;
import org.dossier.care.Appointment;
import org.dossier.care.SchedulingService;
import org.dossier.care.Stay;
import org.dossier.care.StayService;
import org.dossier.clinical.Allergy;
import org.dossier.clinical.AllergyService;
import org.dossier.clinical.Note;
import org.dossier.clinical.NoteService;
import org.dossier.clinical.Observation;
import org.dossier.clinical.ObservationService;
import org.dossier.clinical.Problem;
import org.dossier.clinical.ProblemService;
import org.dossier.organization.Actor;
import org.dossier.organization.Role;
import org.dossier.patient.Patient;
import org.dossier.patient.PatientService;
import org.dossier.platform.Deferred;
import org.dossier.platform.QueryBatch;
import org.dossier.platform.QueryBatches;
import org.dossier.prescribing.MedicationOrder;
import org.dossier.prescribing.PrescriptionService;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.dossier.chart.ChartSummary.Section;

/**
 * Assembles the chart summary: one call per section, each a constant number of indexed queries, so the
 * cost does not grow with the size of the record; after the identity, the sections travel together (one round trip).
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
    private final QueryBatches batches;

    ChartService(PatientService patients, StayService stays, SchedulingService scheduling, AllergyService allergies,
                 ProblemService problems, PrescriptionService prescriptions, ObservationService observations, NoteService notes,
                 AccessGateway gateway, QueryBatches batches) {
        this.gateway = gateway;
        this.batches = batches;
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

    /**
     * The summary under a decision already taken and audited: what the sections cost without the gateway (benchmarks).
     * The identity is read first, on its own ({@code patient} owns that read); every other section the access covers is
     * then read in one round trip, each by the query its own module writes ({@link QueryBatch}); a section the access does
     * not cover is neither queried nor shown.
     */
    @Transactional(readOnly = true)
    public ChartSummary summary(PatientAccess access) {
        boolean clinical = access.permits(org.dossier.access.Section.CLINICAL);
        boolean prescribed = access.permits(org.dossier.access.Section.PRESCRIPTIONS);
        boolean encounters = access.permits(org.dossier.access.Section.ENCOUNTERS);
        boolean booked = access.permits(org.dossier.access.Section.SCHEDULING);
        Patient identity = patients.read(access);
        QueryBatch batch = batches.start();
        Deferred<Optional<Stay>> stay = encounters ? stays.current(access, batch) : null;
        Deferred<List<Allergy>> allergyList = clinical ? allergies.ofPatient(access, true, batch) : null;
        Deferred<List<Problem>> problemList = clinical ? problems.ofPatient(access, true, batch) : null;
        Deferred<List<MedicationOrder>> orders = prescribed ? prescriptions.ofPatient(access, true, batch) : null;
        Deferred<List<Observation>> latest = clinical ? observations.latest(access, batch) : null;
        Deferred<List<Appointment>> upcoming = booked ? scheduling.upcoming(access, UPCOMING_APPOINTMENTS, batch) : null;
        Deferred<List<Note>> recent = clinical ? notes.ofPatient(access, RECENT_NOTES, batch) : null;
        batch.run();
        return new ChartSummary(identity, stay == null ? null : stay.get().orElse(null), answer(allergyList), answer(problemList),
                answer(orders), answer(latest), answer(upcoming), answer(recent),
                withheld(access.actor(), clinical, prescribed, encounters, booked), access.reasonCode());
    }

    private static <T> T answer(Deferred<T> section) {
        return section == null ? null : section.get();
    }

    /** Why each section not shown is withheld. */
    private static Map<Section, String> withheld(Actor actor, boolean clinical, boolean prescribed, boolean encounters, boolean booked) {
        Map<Section, String> withheld = new EnumMap<>(Section.class);
        String why = AccessGateway.sectionsOf(actor).contains(org.dossier.access.Section.CLINICAL)
                ? "nothing in your work links you to this patient: clinical sections need a care relationship or a break-the-glass"
                : "clinical sections are for physicians and nurses caring for the patient";
        if (!clinical) {
            for (Section s : new Section[]{Section.ALLERGIES, Section.PROBLEMS, Section.OBSERVATIONS, Section.NOTES}) {
                withheld.put(s, why);
            }
        }
        if (!prescribed) {
            withheld.put(Section.PRESCRIPTIONS, why);
        }
        if (!encounters) {
            withheld.put(Section.STAYS, "stays are not part of what your role sees");
        }
        if (!booked) {
            withheld.put(Section.SCHEDULING, "appointments are not part of what your role sees");
        }
        return withheld;
    }
}
