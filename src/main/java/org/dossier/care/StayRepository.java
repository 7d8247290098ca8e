package org.dossier.care;

import static org.dossier.platform.SqlTimes.instant;
import static org.dossier.platform.SqlTimes.ts;

import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.dossier.access.SearchPermit;
import org.dossier.platform.Deferred;
import org.dossier.platform.Located;
import org.dossier.platform.QueryBatch;
import org.dossier.platform.SqlQuery;
import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Stays and their movements: each method reads what its proof covers (one patient, or the facilities of a census). */
@Repository
class StayRepository {

    private static final String STAY_COLUMNS = "s.id, s.facility_id, s.patient_id, s.kind, s.status, s.admitted_at, s.discharged_at,"
            + " s.attending_id, s.admission_reason, s.discharge_destination, s.version, s.sealed_admission_reason, s.sealed_discharge_destination";

    /** The patient's current stay: the latest active one. */
    private static final String CURRENT = "where s.patient_id = ? and s.status = 'ACTIVE' order by s.admitted_at desc limit 1";

    private final JdbcClient jdbc;
    /** The admission reason and discharge destination, sealed with the patient's key (V68, ADR 0053). */
    private final SealedColumns text;

    StayRepository(JdbcClient jdbc, @Qualifier("stayText") SealedColumns text) {
        this.jdbc = jdbc;
        this.text = text;
    }

    /** Serialises stay changes of one patient, so that two admissions cannot overlap. */
    void lockPatient(PatientAccess access) {
        jdbc.sql("select 1 from pg_advisory_xact_lock(hashtextextended('stay:' || ?, 0))").param(access.patientId())
                .query(Integer.class).single();
    }

    boolean overlaps(PatientAccess access, Instant from, Instant to, long exceptStayId) {
        return jdbc.sql("""
                        select exists (select 1 from stay where patient_id = ? and status <> 'CANCELLED' and id <> ?
                           and admitted_at < coalesce(?, 'infinity'::timestamptz) and coalesce(discharged_at, 'infinity'::timestamptz) > ?)""")
                .param(access.patientId()).param(exceptStayId).param(ts(to)).param(ts(from)).query(Boolean.class).single();
    }

    long insert(PatientAccess access, StayKind kind, Instant admittedAt, long attendingId, String reason, Instant now) {
        // The row's id first: the reason is sealed to its row.
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('stay', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        jdbc.sql("""
                        insert into stay (id, facility_id, patient_id, kind, status, admitted_at, attending_id, sealed_admission_reason,
                            version, created_at, updated_at)
                        values (?, ?, ?, ?, 'ACTIVE', ?, ?, ?, 1, ?, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(kind.name()).param(ts(admittedAt)).param(attendingId)
                .param(text.seal(access.patientId(), facilityId, "admission_reason", id, reason)).param(ts(now)).param(ts(now)).update();
        return id;
    }

    /** A movement of a stay of the proof's patient (a stay of another patient moves nothing). */
    void openMovement(PatientAccess access, long stayId, int unitId, String bed, Instant from) {
        jdbc.sql("""
                        insert into stay_movement (stay_id, facility_id, patient_id, unit_id, bed, from_at)
                        select id, facility_id, patient_id, ?, ?, ? from stay where id = ? and patient_id = ?""")
                .param(unitId).param(bed).param(ts(from)).param(stayId).param(access.patientId()).update();
    }

    void closeMovement(PatientAccess access, long stayId, Instant at) {
        jdbc.sql("update stay_movement set to_at = ? where stay_id = ? and patient_id = ? and to_at is null")
                .param(ts(at)).param(stayId).param(access.patientId()).update();
    }

    boolean update(PatientAccess access, long id, int expectedVersion, StayStatus status, Instant dischargedAt, long attendingId,
                   String destination, Instant now) {
        byte[] sealed = text.seal(access.patientId(), access.patient().facilityId(), "discharge_destination", id, destination);
        return jdbc.sql("""
                        update stay set status = ?, discharged_at = ?, attending_id = ?, discharge_destination = null,
                            sealed_discharge_destination = ?, version = version + 1, updated_at = ?
                         where id = ? and patient_id = ? and version = ?""")
                .param(status.name()).param(ts(dischargedAt)).param(attendingId).param(sealed).param(ts(now))
                .param(id).param(access.patientId()).param(expectedVersion).update() == 1;
    }

    /** Whose stay this is, to decide about that patient. */
    @Locates
    OptionalLong patientOfStay(long id) {
        return jdbc.sql("select patient_id from stay where id = ?").param(id).query(Long.class).optional()
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** Whose stay this is and its version, before a change of it is decided ({@link Located}). */
    @Locates
    List<Long> locate(long id) {
        return Located.facts(jdbc, "stay", id, List.of());
    }

    /** A stay of the proof's patient. */
    Optional<Stay> find(PatientAccess access, long id) {
        return load("where s.id = ? and s.patient_id = ?", id, access.patientId()).stream().findFirst();
    }

    List<Stay> ofPatient(PatientAccess access, int limit) {
        return load("where s.patient_id = ? order by s.admitted_at desc limit " + limit, access.patientId());
    }

    Optional<Stay> currentOf(PatientAccess access) {
        return load(CURRENT, access.patientId()).stream().findFirst();
    }

    /** Who is in these units now, of the permit's facilities. */
    List<Inpatient> inUnits(SearchPermit permit, Collection<Integer> unitIds, int limit) {
        return jdbc.sql("""
                        select m.patient_id, m.stay_id, s.kind, m.unit_id, m.bed, m.from_at, s.attending_id
                          from stay_movement m join stay s on s.id = m.stay_id
                         where m.unit_id = any(?) and m.to_at is null and s.status = 'ACTIVE' and s.facility_id = any(?)
                         order by m.unit_id, m.bed nulls last, m.from_at limit ?""")
                .param(unitIds.toArray(Integer[]::new)).param(permit.facilityIds().toArray(Integer[]::new)).param(limit)
                .query((rs, n) -> new Inpatient(rs.getLong("patient_id"), rs.getLong("stay_id"), StayKind.valueOf(rs.getString("kind")),
                        rs.getInt("unit_id"), rs.getString("bed"), rs.getTimestamp("from_at").toInstant(), rs.getLong("attending_id")))
                .list();
    }

    /** The inpatients the permit's actor attends now, of the permit's facilities. */
    List<Inpatient> attendedBy(SearchPermit permit, int limit) {
        return jdbc.sql("""
                        select m.patient_id, m.stay_id, s.kind, m.unit_id, m.bed, m.from_at, s.attending_id
                          from stay s join stay_movement m on m.stay_id = s.id and m.to_at is null
                         where s.attending_id = ? and s.status = 'ACTIVE' and s.facility_id = any(?) order by m.unit_id, m.bed limit ?""")
                .param(permit.actor().staffId()).param(permit.facilityIds().toArray(Integer[]::new)).param(limit)
                .query((rs, n) -> new Inpatient(rs.getLong("patient_id"), rs.getLong("stay_id"), StayKind.valueOf(rs.getString("kind")),
                        rs.getInt("unit_id"), rs.getString("bed"), rs.getTimestamp("from_at").toInstant(), rs.getLong("attending_id")))
                .list();
    }

    /** Stays with their movements in two queries, whatever the number of stays; the movements of stays seen in the first. */
    private List<Stay> load(String where, Object... params) {
        Map<Long, Object[]> rows = stayRows(where, params).run(jdbc);
        return rows.isEmpty() ? List.of() : assemble(rows, movementRows(where, params).run(jdbc));
    }

    /** {@link #currentOf}'s two queries, to run with other queries in one round trip. */
    Deferred<Optional<Stay>> currentOf(PatientAccess access, QueryBatch batch) {
        Deferred<Map<Long, Object[]>> rows = batch.add(stayRows(CURRENT, access.patientId()));
        Deferred<Map<Long, List<Stay.Movement>>> movements = batch.add(movementRows(CURRENT, access.patientId()));
        return () -> assemble(rows.get(), movements.get()).stream().findFirst();
    }

    private SqlQuery<Map<Long, Object[]>> stayRows(String where, Object... params) {
        return new SqlQuery<>("select " + STAY_COLUMNS + " from stay s " + where, Arrays.asList(params), rs -> {
            Map<Long, Object[]> rows = new LinkedHashMap<>();
            while (rs.next()) {
                rows.put(rs.getLong("id"), stayFields(rs));
            }
            return rows;
        });
    }

    // The same stays selected again rather than passed as an array: an array parameter made PostgreSQL plan the
    // statement afresh on every execution (0.3 ms, more than running it). It also lets both queries go in one batch.
    private static SqlQuery<Map<Long, List<Stay.Movement>>> movementRows(String where, Object... params) {
        return new SqlQuery<>("select id, stay_id, unit_id, bed, from_at, to_at from stay_movement where stay_id in (select s.id from stay s "
                + where + ") order by from_at, id", Arrays.asList(params), rs -> {
            Map<Long, List<Stay.Movement>> movements = new LinkedHashMap<>();
            while (rs.next()) {
                movements.computeIfAbsent(rs.getLong("stay_id"), k -> new ArrayList<>()).add(new Stay.Movement(
                        rs.getLong("id"), rs.getInt("unit_id"), rs.getString("bed"), rs.getTimestamp("from_at").toInstant(),
                        instant(rs.getTimestamp("to_at"))));
            }
            return movements;
        });
    }

    private static List<Stay> assemble(Map<Long, Object[]> rows, Map<Long, List<Stay.Movement>> movements) {
        List<Stay> stays = new ArrayList<>();
        rows.forEach((id, f) -> stays.add(new Stay(id, (int) f[0], (long) f[1], (StayKind) f[2], (StayStatus) f[3], (Instant) f[4],
                (Instant) f[5], (long) f[6], (String) f[7], (String) f[8], (int) f[9], List.copyOf(movements.getOrDefault(id, List.of())))));
        return stays;
    }

    private Object[] stayFields(ResultSet rs) throws SQLException {
        return new Object[]{rs.getInt("facility_id"), rs.getLong("patient_id"), StayKind.valueOf(rs.getString("kind")),
                StayStatus.valueOf(rs.getString("status")), rs.getTimestamp("admitted_at").toInstant(),
                instant(rs.getTimestamp("discharged_at")), rs.getLong("attending_id"), text.open(rs, "admission_reason"),
                text.open(rs, "discharge_destination"), rs.getInt("version")};
    }

}
