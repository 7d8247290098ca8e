package org.dossier.care.bulk;

import org.dossier.platform.VersionLog;
import tools.jackson.databind.json.JsonMapper;

import org.dossier.care.Appointment;
import org.dossier.care.CareTeamMember;
import org.dossier.care.Referral;
import org.dossier.care.Schedule;
import org.dossier.care.Stay;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.dossier.platform.crypto.FieldCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Writes generated stays, schedules, appointments, care teams and referrals with COPY. Write-only, for the demo hospital.
 * Stays' admission reasons and discharge destinations (V68), appointments' and referrals' reasons are sealed with each patient's key (V67, ADR 0053) on every core before the copy,
 * as the registry's loader does; the patients' keys exist by then (the registry is loaded first).
 */
@Component
public class CareBulkLoader {

    private static final Logger log = LoggerFactory.getLogger(CareBulkLoader.class);

    private final BulkLoad bulk;
    private final FieldCipher cipher;
    private final JsonMapper json;

    CareBulkLoader(BulkLoad bulk, FieldCipher cipher, JsonMapper json) {
        this.bulk = bulk;
        this.cipher = cipher;
        this.json = json;
    }

    private byte[] sealed(String table, String column, long id, long patientId, int facilityId, String value) {
        return cipher.seal(FieldCipher.Cell.ofPatient(patientId, facilityId, table, column, id), value);
    }

    public void load(List<Stay> stays, List<Schedule> schedules, List<Appointment> appointments, List<CareTeamMember> careTeam,
                     List<Referral> referrals, String reason) {
        bulk.run(load -> load.withIndexesBuiltAfter(List.of("stay", "stay_movement", "appointment", "care_team_member", "referral"), session -> {
            long start = System.nanoTime();
            List<byte[][]> stayText = stays.parallelStream().map(st -> new byte[][] {
                    sealed("stay", "admission_reason", st.id(), st.patientId(), st.facilityId(), st.admissionReason()),
                    sealed("stay", "discharge_destination", st.id(), st.patientId(), st.facilityId(), st.dischargeDestination())}).toList();
            List<byte[][]> appointmentText = appointments.parallelStream().map(a -> new byte[][] {
                    sealed("appointment", "reason", a.id(), a.patientId(), a.facilityId(), a.reason()),
                    sealed("appointment", "status_reason", a.id(), a.patientId(), a.facilityId(), a.statusReason())}).toList();
            List<byte[]> referralText = referrals.parallelStream()
                    .map(r -> sealed("referral", "reason", r.id(), r.patientId(), r.facilityId(), r.reason())).toList();
            List<byte[]> roles = careTeam.parallelStream()
                    .map(m -> sealed("care_team_member", "role", m.id(), m.patientId(), m.facilityId(), m.role())).toList();
            log.info("Sealed the reasons of {} stays, {} appointments and {} referrals and the roles of {} care-team members in {} ms",
                    stays.size(), appointments.size(), referrals.size(), careTeam.size(), Duration.ofNanos(System.nanoTime() - start).toMillis());
            stays(session, stays, stayText);
            schedules(session, schedules);
            appointments(session, appointments, appointmentText);
            careTeam(session, careTeam, roles);
            referrals(session, referrals, referralText);
            versions(session, stays, appointments, careTeam, referrals, reason);
            for (String table : List.of("stay", "stay_movement", "practitioner_schedule", "appointment", "care_team_member", "referral")) {
                session.advanceSequence(table, "id");
            }
        }));
    }

    private static void stays(BulkLoad.Session session, List<Stay> stays, List<byte[][]> sealed) throws SQLException {
        try (BulkCopy c = session.copy("stay", "id", "facility_id", "patient_id", "kind", "status", "admitted_at", "discharged_at",
                "attending_id", "sealed_admission_reason", "sealed_discharge_destination", "version", "created_at", "updated_at")) {
            for (int i = 0; i < stays.size(); i++) {
                Stay s = stays.get(i);
                c.row(s.id(), s.facilityId(), s.patientId(), s.kind(), s.status(), s.admittedAt(), s.dischargedAt(), s.attendingId(),
                        sealed.get(i)[0], sealed.get(i)[1], s.version(), s.admittedAt(),
                        s.dischargedAt() == null ? s.admittedAt() : s.dischargedAt());
            }
        }
        try (BulkCopy c = session.copy("stay_movement", "id", "stay_id", "facility_id", "patient_id", "unit_id", "bed", "from_at", "to_at")) {
            for (Stay s : stays) {
                for (Stay.Movement m : s.movements()) {
                    c.row(m.id(), s.id(), s.facilityId(), s.patientId(), m.unitId(), m.bed(), m.fromAt(), m.toAt());
                }
            }
        }
    }

    private static void schedules(BulkLoad.Session session, List<Schedule> schedules) throws SQLException {
        try (BulkCopy c = session.copy("practitioner_schedule", "id", "facility_id", "practitioner_id", "unit_id", "weekday",
                "start_time", "end_time", "slot_minutes", "valid_from", "valid_to", "created_at")) {
            for (Schedule s : schedules) {
                c.row(s.id(), s.facilityId(), s.practitionerId(), s.unitId(), s.weekday().getValue(), s.startTime(), s.endTime(),
                        s.slotMinutes(), s.validFrom(), s.validTo(), s.validFrom().atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
            }
        }
    }

    private static void appointments(BulkLoad.Session session, List<Appointment> appointments, List<byte[][]> sealed) throws SQLException {
        try (BulkCopy c = session.copy("appointment", "id", "facility_id", "patient_id", "practitioner_id", "unit_id", "start_at",
                "end_at", "status", "sealed_reason", "rescheduled_from", "sealed_status_reason", "version", "created_at", "updated_at")) {
            for (int i = 0; i < appointments.size(); i++) {
                Appointment a = appointments.get(i);
                c.row(a.id(), a.facilityId(), a.patientId(), a.practitionerId(), a.unitId(), a.startAt(), a.endAt(), a.status(),
                        sealed.get(i)[0], a.rescheduledFrom(), sealed.get(i)[1], a.version(), booked(a), booked(a));
            }
        }
    }

    private static void careTeam(BulkLoad.Session session, List<CareTeamMember> careTeam, List<byte[]> roles) throws SQLException {
        try (BulkCopy c = session.copy("care_team_member", "id", "facility_id", "patient_id", "staff_id", "sealed_role", "period_start",
                "period_end", "status", "version", "created_at")) {
            for (int i = 0; i < careTeam.size(); i++) {
                CareTeamMember m = careTeam.get(i);
                c.row(m.id(), m.facilityId(), m.patientId(), m.staffId(), roles.get(i), m.periodStart(), m.periodEnd(), m.status(),
                        m.version(), m.periodStart());
            }
        }
    }

    private static void referrals(BulkLoad.Session session, List<Referral> referrals, List<byte[]> sealed) throws SQLException {
        try (BulkCopy c = session.copy("referral", "id", "facility_id", "patient_id", "from_staff_id", "to_staff_id", "to_unit_id",
                "sealed_reason", "period_start", "period_end", "status", "version", "created_at")) {
            for (int i = 0; i < referrals.size(); i++) {
                Referral r = referrals.get(i);
                c.row(r.id(), r.facilityId(), r.patientId(), r.fromStaffId(), r.toStaffId(), r.toUnitId(), sealed.get(i),
                        r.periodStart(), r.periodEnd(), r.status(), r.version(), r.periodStart());
            }
        }
    }

    /** One first version, before it is sealed. */
    private record FirstVersion(String entityType, long id, int version, int facilityId, long patientId, java.time.Instant at,
                                Long authorId, Object snapshot) {
    }

    /**
     * The first version of every record, as the version logs of a record written through its service would hold it:
     * sealed with the patient's key (V69) on every core, then copied.
     */
    private void versions(BulkLoad.Session session, List<Stay> stays, List<Appointment> appointments,
                          List<CareTeamMember> careTeam, List<Referral> referrals, String reason) throws SQLException {
        List<FirstVersion> all = new java.util.ArrayList<>();
        stays.forEach(s -> all.add(new FirstVersion("stay", s.id(), s.version(), s.facilityId(), s.patientId(), s.admittedAt(),
                s.attendingId(), s)));
        appointments.forEach(a -> all.add(new FirstVersion("appointment", a.id(), a.version(), a.facilityId(), a.patientId(),
                booked(a), null, a)));
        careTeam.forEach(m -> all.add(new FirstVersion("care_team_member", m.id(), m.version(), m.facilityId(), m.patientId(),
                m.periodStart(), null, m)));
        referrals.forEach(r -> all.add(new FirstVersion("referral", r.id(), r.version(), r.facilityId(), r.patientId(),
                r.periodStart(), r.fromStaffId(), r)));
        long start = System.nanoTime();
        List<byte[]> sealed = all.parallelStream().map(v -> cipher.seal(VersionLog.snapshotCell("care_version", v.entityType(),
                v.id(), v.version(), v.facilityId(), v.patientId()), json.writeValueAsString(v.snapshot()))).toList();
        log.info("Sealed {} first versions of care records in {} ms", all.size(), Duration.ofNanos(System.nanoTime() - start).toMillis());
        try (BulkLoad.VersionCopy v = session.sealedVersions("care_version")) {
            for (int i = 0; i < all.size(); i++) {
                FirstVersion f = all.get(i);
                v.addSealed(f.entityType(), f.id(), f.version(), f.facilityId(), f.patientId(), f.at(), f.authorId(), reason, sealed.get(i));
            }
        }
    }

    private static java.time.Instant booked(Appointment a) {
        return a.startAt().minus(Duration.ofDays(10));
    }
}
