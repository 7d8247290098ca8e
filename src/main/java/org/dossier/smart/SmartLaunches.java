package org.dossier.smart;

import org.dossier.access.AccessGateway;
import org.dossier.access.Section;
import org.dossier.audit.AuditResource;
import org.dossier.identity.SmartApps;
import org.dossier.organization.Actor;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.NotFoundException;
import org.dossier.care.CareTeamService;
import org.dossier.care.SchedulingService;
import org.dossier.care.StayService;
import org.dossier.organization.Role;
import org.dossier.patient.PatientLabel;
import org.dossier.patient.PatientService;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The patient context of a SMART launch, decided by the gateway before it is bound to anything: the patient a person
 * picks on the consent page (standalone launch), and the chart an EHR launch starts from.
 */
@Service
public class SmartLaunches {

    /** As many care-team patients as "my day" shows. */
    private static final int CARE_TEAM_SHOWN = 30;

    private final SmartApps apps;
    private final AccessGateway gateway;
    private final SchedulingService scheduling;
    private final StayService stays;
    private final CareTeamService careTeams;
    private final PatientService patients;
    private final Clock clock;

    SmartLaunches(SmartApps apps, AccessGateway gateway, SchedulingService scheduling, StayService stays, CareTeamService careTeams,
                  PatientService patients, Clock clock) {
        this.apps = apps;
        this.gateway = gateway;
        this.scheduling = scheduling;
        this.stays = stays;
        this.careTeams = careTeams;
        this.patients = patients;
        this.clock = clock;
    }

    /**
     * The patients a standalone launch offers to pick from: the person's work of the day, as "my day" lists it (today's
     * appointments, their units' inpatients, the inpatients they attend, their care teams) — each list through the same
     * services, so audited and charged as a list by the gateway. Sorted by name; empty for a role without a day of care.
     */
    public List<PatientLabel> workOfTheDay(Actor actor) {
        if (!actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE)) {
            return List.of();
        }
        LocalDate today = LocalDate.now(clock.withZone(scheduling.zone()));
        Map<Long, PatientLabel> labels = new HashMap<>();
        labels.putAll(patients.labels(scheduling.agenda(actor, actor.staffId(), today, today).listing()));
        if (!actor.unitIds().isEmpty()) {
            labels.putAll(patients.labels(stays.census(actor, actor.unitIds()).listing()));
        }
        labels.putAll(patients.labels(stays.attendedBy(actor).listing()));
        labels.putAll(patients.labels(careTeams.myCareTeamPatients(actor, CARE_TEAM_SHOWN).listing()));
        return labels.values().stream()
                .sorted(Comparator.comparing(PatientLabel::familyName, String.CASE_INSENSITIVE_ORDER)
                        .thenComparing(PatientLabel::givenNames, String.CASE_INSENSITIVE_ORDER).thenComparing(PatientLabel::id))
                .toList();
    }

    /** A launch value bound to the actor, the patient and the app. */
    public record Launch(SmartApps.App app, String value) {
    }

    /**
     * Binds the patient the actor picked to the authorization waiting for their consent, once the gateway decided that the
     * actor may open this patient (audited, charged; refused and audited when nothing in the actor's work explains it).
     */
    public void pickPatient(Actor actor, String state, long patientId) {
        gateway.read(actor, patientId, Section.IDENTITY, AuditResource.Patient, patientId);
        apps.pickPatient(actor, state, patientId);
    }

    /** An EHR launch of {@code clientId} on the patient's chart: the gateway opens the chart first, whoever asks. */
    public Launch launch(Actor actor, long patientId, String clientId) {
        gateway.openChart(actor, patientId);
        if (clientId == null || clientId.isBlank()) {
            throw new InvalidInputException("clientId", "the app to open");
        }
        SmartApps.App app = apps.app(clientId).filter(SmartApps.App::enabled)
                .orElseThrow(() -> new NotFoundException("No app " + clientId));
        return new Launch(app, apps.launch(actor, patientId, app.clientId()));
    }
}
