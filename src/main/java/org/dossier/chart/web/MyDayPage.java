package org.dossier.chart.web;

import org.dossier.access.Listing;
import org.dossier.care.Appointment;
import org.dossier.care.CareTeamService;
import org.dossier.care.Inpatient;
import org.dossier.care.SchedulingService;
import org.dossier.care.StayService;
import org.dossier.organization.Actor;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.patient.PatientLabel;
import org.dossier.patient.PatientService;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The home page: a clinician's own work today — appointments, the unit's inpatients, the patients they attend and
 * the care teams they are on — so that ordinary work starts with a click, not a search. Every patient listed is an
 * audited, explained access (a list of one's own work never counts against the guard's budget). Other roles go to
 * the screen their work starts from.
 */
@Controller
class MyDayPage {

    private static final int CARE_TEAM_SHOWN = 30;

    private final SchedulingService scheduling;
    private final StayService stays;
    private final CareTeamService careTeams;
    private final PatientService patients;
    private final OrganizationService organization;
    private final Clock clock;

    MyDayPage(SchedulingService scheduling, StayService stays, CareTeamService careTeams, PatientService patients,
              OrganizationService organization, Clock clock) {
        this.scheduling = scheduling;
        this.stays = stays;
        this.careTeams = careTeams;
        this.patients = patients;
        this.organization = organization;
        this.clock = clock;
    }

    @GetMapping("/")
    String myDay(Actor actor, Model model) {
        if (!actor.hasAnyRole(Role.PHYSICIAN, Role.NURSE)) {
            if (actor.hasRole(Role.SECURITY_OFFICER)) {
                return "redirect:/security";
            }
            if (actor.hasRole(Role.ADMIN)) {
                return "redirect:/admin/staff";
            }
            if (actor.hasRole(Role.BILLING) && !actor.hasRole(Role.FRONT_DESK)) {
                return "redirect:/billing";
            }
            return "redirect:/patients";
        }
        LocalDate today = LocalDate.now(clock.withZone(scheduling.zone()));
        Map<Long, PatientLabel> labels = new HashMap<>();
        Listing.Of<Appointment> agenda = scheduling.agenda(actor, actor.staffId(), today, today);
        labels.putAll(patients.labels(agenda.listing()));
        Listing.Of<Inpatient> census = actor.unitIds().isEmpty() ? null : stays.census(actor, actor.unitIds());
        if (census != null) {
            labels.putAll(patients.labels(census.listing()));
        }
        Listing.Of<Inpatient> attended = stays.attendedBy(actor);
        labels.putAll(patients.labels(attended.listing()));
        Listing.Of<Long> team = careTeams.myCareTeamPatients(actor, CARE_TEAM_SHOWN);
        labels.putAll(patients.labels(team.listing()));

        Map<Integer, String> units = new HashMap<>();
        actor.facilityIds().forEach(f -> organization.units(f).forEach(u -> units.put(u.id(), u.name())));
        model.addAttribute("today", today);
        model.addAttribute("appointments", agenda.items());
        model.addAttribute("census", census == null ? List.of() : census.items());
        model.addAttribute("attended", attended.items());
        model.addAttribute("careTeam", team.items());
        model.addAttribute("labels", labels);
        model.addAttribute("units", units);
        return "chart/my-day";
    }
}
