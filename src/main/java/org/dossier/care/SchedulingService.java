package org.dossier.care;

import org.dossier.platform.Deferred;
import org.dossier.platform.QueryBatch;
import org.dossier.audit.AuditReason;
import org.dossier.audit.AuditAction;
import org.dossier.audit.AuditResource;
import org.dossier.access.PatientAccess;
import org.dossier.access.Section;
import org.dossier.access.AccessGateway;
import org.dossier.access.Listing;
import org.dossier.organization.Actor;
import org.dossier.organization.CareUnit;
import org.dossier.organization.OrganizationService;
import org.dossier.organization.Role;
import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.access.PatientFacts;
import org.dossier.platform.ConflictException;
import org.dossier.platform.InvalidInputException;
import org.dossier.platform.Located;
import org.dossier.platform.NotFoundException;
import org.dossier.platform.Texts;
import org.dossier.platform.VersionLog;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Practitioners' schedules and the appointments booked in them. */
@Service
public class SchedulingService {

    private static final int MAX_RANGE_DAYS = 31;
    private static final int MAX_APPOINTMENTS = 1000;

    private final AppointmentRepository appointments;
    private final ScheduleRepository schedules;
    private final AccessGateway gateway;
    private final OrganizationService organization;
    private final VersionLog versions;
    private final Clock clock;
    private final ZoneId zone;

    SchedulingService(AppointmentRepository appointments, ScheduleRepository schedules, AccessGateway gateway, OrganizationService organization,
                      @Qualifier("careVersions") VersionLog careVersions, Clock clock,
                      @Value("${dossier.time-zone:Europe/Paris}") String zone) {
        this.appointments = appointments;
        this.schedules = schedules;
        this.gateway = gateway;
        this.organization = organization;
        this.versions = careVersions;
        this.clock = clock;
        this.zone = ZoneId.of(zone);
    }

    /** Opening hours to add to a practitioner's schedule. */
    public record ScheduleRequest(Integer unitId, DayOfWeek weekday, LocalTime startTime, LocalTime endTime, Integer slotMinutes,
                                  LocalDate validFrom, LocalDate validTo) {
    }

    /** A free or taken slot of a practitioner's day. */
    public record Slot(Instant startAt, Instant endAt, int unitId, boolean free) {
    }

    @Transactional
    public Schedule addSchedule(Actor actor, long practitionerId, ScheduleRequest r) {
        StaffMember practitioner = practitioner(practitionerId);
        if (actor.staffId() != practitionerId) {
            actor.requireAnyRole("change another practitioner's schedule", Role.ADMIN, Role.FRONT_DESK);
        }
        List<org.dossier.platform.FieldError> errors = new ArrayList<>();
        CareUnit unit = r.unitId() == null ? null : organization.unit(r.unitId()).orElse(null);
        if (unit == null) {
            errors.add(new org.dossier.platform.FieldError("unitId", "is required and must be a unit"));
        } else if (!practitioner.facilityIds().contains(unit.facilityId())) {
            errors.add(new org.dossier.platform.FieldError("unitId", "is in a facility where the practitioner does not work"));
        }
        if (r.weekday() == null) {
            errors.add(new org.dossier.platform.FieldError("weekday", "is required (MONDAY … SUNDAY)"));
        }
        if (r.startTime() == null || r.endTime() == null || !r.endTime().isAfter(r.startTime())) {
            errors.add(new org.dossier.platform.FieldError("endTime", "startTime and endTime are required, endTime after startTime"));
        }
        int slot = r.slotMinutes() == null ? 0 : r.slotMinutes();
        if (slot < 5 || slot > 240) {
            errors.add(new org.dossier.platform.FieldError("slotMinutes", "must be between 5 and 240"));
        }
        LocalDate from = r.validFrom() == null ? LocalDate.now(clock.withZone(zone)) : r.validFrom();
        if (r.validTo() != null && r.validTo().isBefore(from)) {
            errors.add(new org.dossier.platform.FieldError("validTo", "is before validFrom"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        actor.requireFacility(unit.facilityId());
        for (Schedule s : schedules.schedules(practitionerId)) {
            boolean sameDay = s.weekday() == r.weekday();
            boolean hoursOverlap = s.startTime().isBefore(r.endTime()) && r.startTime().isBefore(s.endTime());
            boolean periodsOverlap = (s.validTo() == null || !s.validTo().isBefore(from)) && (r.validTo() == null || !r.validTo().isBefore(s.validFrom()));
            if (sameDay && hoursOverlap && periodsOverlap) {
                throw new ConflictException("schedule-overlap", "These hours overlap the practitioner's existing opening hours "
                        + s.weekday() + " " + s.startTime() + "-" + s.endTime());
            }
        }
        Schedule s = new Schedule(0, unit.facilityId(), practitionerId, unit.id(), r.weekday(), r.startTime(), r.endTime(), slot, from, r.validTo());
        long id = schedules.insertSchedule(s, actor.staffId(), clock.instant());
        return new Schedule(id, s.facilityId(), s.practitionerId(), s.unitId(), s.weekday(), s.startTime(), s.endTime(), slot, from, s.validTo());
    }

    public List<Schedule> schedules(Actor actor, long practitionerId) {
        practitioner(practitionerId);
        return schedules.schedules(practitionerId).stream().filter(s -> actor.worksIn(s.facilityId())).toList();
    }

    /** Every slot of a practitioner's day, free or taken. */
    public List<Slot> slots(Actor actor, long practitionerId, LocalDate day) {
        practitioner(practitionerId);
        Set<Long> taken = appointments.bookedStarts(practitionerId, day.atStartOfDay(zone).toInstant(),
                day.plusDays(1).atStartOfDay(zone).toInstant());
        List<Slot> slots = new ArrayList<>();
        for (Schedule s : schedules.schedules(practitionerId)) {
            if (!s.validOn(day) || !actor.worksIn(s.facilityId())) {
                continue;
            }
            for (LocalTime t = s.startTime(); !t.plusMinutes(s.slotMinutes()).isAfter(s.endTime()) && !t.isBefore(s.startTime());
                 t = t.plusMinutes(s.slotMinutes())) {
                Instant start = day.atTime(t).atZone(zone).toInstant();
                slots.add(new Slot(start, start.plus(Duration.ofMinutes(s.slotMinutes())), s.unitId(), !taken.contains(start.toEpochMilli())));
                if (t.plusMinutes(s.slotMinutes()).isBefore(t)) {
                    break;
                }
            }
        }
        slots.sort(java.util.Comparator.comparing(Slot::startAt));
        return slots;
    }

    @Transactional
    public Appointment book(Actor actor, Long patientId, Long practitionerId, Instant startAt, String reason) {
        actor.requireAnyRole("book appointments", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        return bookInternal(actor, patientId, practitionerId, startAt, reason, null);
    }

    @Transactional
    public Appointment reschedule(Actor actor, long appointmentId, int expectedVersion, Instant newStart, Long newPractitionerId, String reason) {
        actor.requireAnyRole("reschedule appointments", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        Decided<Appointment> booked = booked(actor, appointmentId, AppointmentStatus.RESCHEDULED);
        Appointment old = booked.record();
        changeStatus(booked, expectedVersion, AppointmentStatus.RESCHEDULED, why);
        long practitioner = newPractitionerId == null ? old.practitionerId() : newPractitionerId;
        return bookInternal(actor, old.patientId(), practitioner, newStart, old.reason(), old.id());
    }

    @Transactional
    public Appointment cancel(Actor actor, long appointmentId, int expectedVersion, String reason) {
        actor.requireAnyRole("cancel appointments", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        String why = Texts.requireReason(reason);
        return changeStatus(booked(actor, appointmentId, AppointmentStatus.CANCELLED), expectedVersion, AppointmentStatus.CANCELLED, why);
    }

    /** How long before its start the patient may still cancel an appointment from the portal (ADR 0040); later, they call. */
    public static final Duration PATIENT_CANCEL_NOTICE = Duration.ofHours(24);

    /**
     * The patient cancels their own appointment from the portal (ADR 0040): the same status change as the desk's, decided
     * by the gateway for the patient themself (their own record only) and audited as their change, at least
     * {@link #PATIENT_CANCEL_NOTICE} before its start.
     */
    @Transactional
    public Appointment cancelByPatient(Actor patient, long appointmentId, int expectedVersion, String reason) {
        patient.requireAnyRole("cancel their own appointments", Role.PATIENT);
        String why = "cancelled by the patient" + (Texts.isBlank(reason) ? "" : ": " + Texts.requireReason(reason));
        Located located = located(appointmentId);
        PatientAccess access = gateway.write(patient, located.patientId(), Section.SCHEDULING, AuditAction.STATUS, AuditResource.Appointment,
                appointmentId, located.changeTo(AppointmentStatus.CANCELLED));
        Appointment a = appointments.find(access, appointmentId).orElseThrow(() -> new NotFoundException("No appointment " + appointmentId));
        if (a.status() != AppointmentStatus.BOOKED) {
            throw new ConflictException("appointment-closed", "This appointment is " + a.status() + "; it can no longer be cancelled");
        }
        if (a.startAt().isBefore(clock.instant().plus(PATIENT_CANCEL_NOTICE))) {
            throw new ConflictException("too-late", "This appointment starts in less than "
                    + PATIENT_CANCEL_NOTICE.toHours() + " hours: please call the hospital to cancel it");
        }
        return changeStatus(new Decided<>(access, a), expectedVersion, AppointmentStatus.CANCELLED, why);
    }

    @Transactional
    public Appointment markNoShow(Actor actor, long appointmentId, int expectedVersion) {
        actor.requireAnyRole("record no-shows", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        Decided<Appointment> a = booked(actor, appointmentId, AppointmentStatus.NO_SHOW);
        if (a.record().startAt().isAfter(clock.instant())) {
            throw new ConflictException("not-yet", "The appointment has not started yet; cancel it instead");
        }
        return changeStatus(a, expectedVersion, AppointmentStatus.NO_SHOW, "patient did not come");
    }

    @Transactional
    public Appointment complete(Actor actor, long appointmentId, int expectedVersion) {
        actor.requireAnyRole("complete appointments", Role.FRONT_DESK, Role.PHYSICIAN, Role.NURSE);
        return changeStatus(booked(actor, appointmentId, AppointmentStatus.COMPLETED), expectedVersion, AppointmentStatus.COMPLETED, "seen");
    }

    public Appointment read(Actor actor, long id) {
        requireReader(actor);
        return appointments.find(readAccess(actor, id), id).orElseThrow(() -> new NotFoundException("No appointment " + id));
    }

    /** The decision to read one appointment, taken on whose appointment it is. */
    private PatientAccess readAccess(Actor actor, long id) {
        Located located = located(id);
        return gateway.read(actor, located.patientId(), Section.SCHEDULING, AuditResource.Appointment, id);
    }

    private Located located(long id) {
        return Located.of(appointments.locate(id), AppointmentRepository.STATUSES)
                .orElseThrow(() -> new NotFoundException("No appointment " + id));
    }

    public List<VersionLog.Version<Appointment>> history(Actor actor, long id) {
        requireReader(actor);
        return versions.history("appointment", id, readAccess(actor, id).patientId(), Appointment.class);
    }

    /**
     * {@link #read}, with the time the record's current version was recorded (the Last-Modified of an answer showing it;
     * null when that version is not kept): one gateway decision, as a read.
     */
    public VersionLog.Dated<Appointment> readDated(Actor actor, long id) {
        Appointment appointment = read(actor, id);
        return new VersionLog.Dated<>(appointment, versions.recordedAt("appointment", appointment.id(), appointment.version()));
    }

    /**
     * A practitioner's appointments over at most a month, in the actor's facilities. Only the patients of the actor's
     * work of the day are named (ADR 0018): a clinician's own appointments from yesterday to tomorrow, the front desk's
     * and billing's appointments of today's work; every other appointment is a booked slot without its patient
     * ({@link Appointment#withoutPatient()}), enough to book around it and showing no one.
     */
    public Listing.Of<Appointment> agenda(Actor actor, long practitionerId, LocalDate from, LocalDate to) {
        requireReader(actor);
        if (to.isBefore(from) || from.plusDays(MAX_RANGE_DAYS).isBefore(to)) {
            throw new InvalidInputException("to", "the period must be between 0 and " + MAX_RANGE_DAYS + " days");
        }
        boolean administrative = actor.hasAnyRole(Role.FRONT_DESK, Role.BILLING);
        if (!administrative && practitionerId != actor.staffId()) {
            gateway.refuseListing(actor, AuditResource.Agenda, "You see your own agenda only; the front desk sees every practitioner's");
        }
        List<Appointment> agenda = appointments.ofPractitioner(gateway.permitList(actor, AuditResource.Appointment), practitionerId,
                from.atStartOfDay(zone).toInstant(), to.plusDays(1).atStartOfDay(zone).toInstant(), MAX_APPOINTMENTS);
        AuditReason reason = administrative ? AccessGateway.administrativeReason(actor) : AuditReason.APPOINTMENT;
        Map<Long, Integer> facilityOf = new java.util.LinkedHashMap<>();
        agenda.forEach(a -> facilityOf.putIfAbsent(a.patientId(), a.facilityId()));
        Listing listing = gateway.listedWithinWork(actor, AuditResource.Appointment, Section.SCHEDULING, facilityOf.entrySet().stream()
                .map(e -> new AccessGateway.Listed(e.getKey(), e.getValue(), reason)).toList());
        return new Listing.Of<>(agenda.stream().map(a -> listing.patientIds().contains(a.patientId()) ? a : a.withoutPatient()).toList(),
                listing);
    }

    public List<Appointment> ofPatient(Actor actor, long patientId) {
        requireReader(actor);
        return ofPatient(gateway.read(actor, patientId, Section.SCHEDULING, AuditResource.Appointment, null));
    }

    /** Under an access already granted and audited (a chart tab). */
    public List<Appointment> ofPatient(PatientAccess granted) {
        return org.dossier.platform.RecordLimits.whole(appointments.ofPatient(granted.require(Section.SCHEDULING),
                org.dossier.platform.RecordLimits.fetch()), "appointments");
    }

    public List<Appointment> upcoming(Actor actor, long patientId, int limit) {
        requireReader(actor);
        return upcoming(gateway.read(actor, patientId, Section.SCHEDULING, AuditResource.Appointment, null), limit);
    }

    /** Under an access already granted and audited (the chart). */
    public List<Appointment> upcoming(PatientAccess granted, int limit) {
        return appointments.upcomingOfPatient(granted.require(Section.SCHEDULING), clock.instant(), limit);
    }

    /** {@link #upcoming(PatientAccess, int)}, read with other sections in one round trip when {@code batch} runs. */
    public Deferred<List<Appointment>> upcoming(PatientAccess granted, int limit, QueryBatch batch) {
        return batch.add(appointments.upcomingOfPatientQuery(granted.require(Section.SCHEDULING), clock.instant(), limit));
    }

    public ZoneId zone() {
        return zone;
    }

    private Appointment bookInternal(Actor actor, Long patientId, Long practitionerId, Instant startAt, String reason, Long rescheduledFrom) {
        if (patientId == null) {
            throw new InvalidInputException("patientId", "is required");
        }
        if (practitionerId == null) {
            throw new InvalidInputException("practitionerId", "is required");
        }
        if (startAt == null) {
            throw new InvalidInputException("startAt", "is required");
        }
        String why = Texts.clean(reason);
        if (why == null) {
            throw new InvalidInputException("reason", "the reason for the appointment is required");
        }
        PatientAccess access = gateway.write(actor, patientId, Section.SCHEDULING, AuditAction.CREATE, AuditResource.Appointment, null,
                "version 1");
        PatientFacts patient = access.patient().requireActive();
        practitioner(practitionerId);
        Instant now = clock.instant();
        if (startAt.isBefore(now)) {
            throw new InvalidInputException("startAt", "is in the past");
        }
        LocalDate day = startAt.atZone(zone).toLocalDate();
        LocalTime time = startAt.atZone(zone).toLocalTime();
        Schedule schedule = schedules.schedules(practitionerId).stream()
                .filter(s -> s.validOn(day) && s.facilityId() == patient.facilityId())
                .filter(s -> !time.isBefore(s.startTime()) && !time.plusMinutes(s.slotMinutes()).isAfter(s.endTime())
                        && Duration.between(s.startTime(), time).toMinutes() % s.slotMinutes() == 0
                        && time.getSecond() == 0 && time.getNano() == 0)
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("startAt", "is not the start of a slot in the practitioner's schedule"
                        + " at the patient's facility on " + day + "; ask for the free slots of that day"));
        Instant endAt = startAt.plus(Duration.ofMinutes(schedule.slotMinutes()));
        appointments.lockPractitioner(access, practitionerId);
        if (appointments.slotTaken(access, practitionerId, startAt, endAt)) {
            throw new ConflictException("slot-taken", "This slot of the practitioner is already booked; pick another free slot");
        }
        long id;
        try {
            id = appointments.insert(access, practitionerId, schedule.unitId(), startAt, endAt, why,
                    rescheduledFrom, actor.staffId(), now);
        } catch (DuplicateKeyException e) {
            throw new ConflictException("slot-taken", "This slot of the practitioner is already booked; pick another free slot");
        }
        Appointment created = appointments.find(access, id).orElseThrow();
        versions.record("appointment", id, 1, created.facilityId(), created.patientId(), actor.staffId(),
                rescheduledFrom == null ? "booked" : "rescheduled from " + rescheduledFrom, created, now);
        return created;
    }

    private Appointment changeStatus(Decided<Appointment> decided, int expectedVersion, AppointmentStatus status, String reason) {
        Instant now = clock.instant();
        Appointment a = decided.record();
        if (!appointments.changeStatus(decided.access(), a.id(), expectedVersion, status, reason, now)) {
            throw ConflictException.stale(a.id(), expectedVersion, a.version());
        }
        Appointment changed = appointments.find(decided.access(), a.id()).orElseThrow();
        versions.record("appointment", a.id(), changed.version(), changed.facilityId(), changed.patientId(),
                author(decided.access().actor()), status.name().toLowerCase() + ": " + reason, changed, now);
        return changed;
    }

    /** A booked appointment, its change of status decided and audited as a status change, with its versions before and after. */
    private Decided<Appointment> booked(Actor actor, long id, AppointmentStatus to) {
        requireReader(actor);
        Located located = located(id);
        PatientAccess access = gateway.write(actor, located.patientId(), Section.SCHEDULING, AuditAction.STATUS, AuditResource.Appointment,
                id, located.changeTo(to));
        Appointment a = appointments.find(access, id).orElseThrow(() -> new NotFoundException("No appointment " + id));
        if (a.status() != AppointmentStatus.BOOKED) {
            throw new ConflictException("appointment-closed", "Appointment " + id + " is " + a.status() + "; it can no longer change");
        }
        return new Decided<>(access, a);
    }

    /** The version's author: a staff account, or none for the patient (their change is in the trail, under their account). */
    private static Long author(Actor actor) {
        return actor.staffId() > 0 ? actor.staffId() : null;
    }

    private StaffMember practitioner(long id) {
        StaffMember m;
        try {
            m = organization.staffMember(id);
        } catch (NotFoundException e) {
            throw new NotFoundException("No practitioner " + id);
        }
        if (!m.hasRole(Role.PHYSICIAN) && !m.hasRole(Role.NURSE)) {
            throw new InvalidInputException("practitionerId", m.displayName() + " does not see patients");
        }
        if (m.status() != StaffStatus.ACTIVE) {
            throw new InvalidInputException("practitionerId", m.displayName() + "'s account is not active");
        }
        return m;
    }

    private static void requireReader(Actor actor) {
        actor.requireAnyRole("see appointments", Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK, Role.BILLING);
    }

}
