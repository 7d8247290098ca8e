package org.dossier.care;

import org.dossier.platform.crypto.SealedColumns;
import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Encounters imported as history: each method reads what its proof covers, one patient. What the encounter was and why
 * (its type's text and its reason, V67, ADR 0053), its type's code, where it took place and who saw the patient (V72) are
 * sealed with the patient's key; a row written before reads in clear.
 */
@Repository
class EncounterHistoryRepository {

    private static final String COLUMNS = "id, facility_id, patient_id, class, type, type_code, reason, start_at, end_at, practitioner,"
            + " organization, source, sealed_type, sealed_reason, sealed_type_code, sealed_practitioner, sealed_organization";

    private final JdbcClient jdbc;
    private final SealedColumns text;

    EncounterHistoryRepository(JdbcClient jdbc, @Qualifier("encounterHistoryText") SealedColumns text) {
        this.jdbc = jdbc;
        this.text = text;
    }

    /** Records a past encounter of the proof's patient, in the patient's facility. */
    long insert(PatientAccess access, EncounterHistoryService.PastEncounterInput in, Instant now) {
        // The row's id first: its texts are sealed to their row.
        long id = jdbc.sql("select nextval(pg_get_serial_sequence('encounter_history', 'id'))").query(Long.class).single();
        int facilityId = access.patient().facilityId();
        jdbc.sql("""
                        insert into encounter_history (id, facility_id, patient_id, class, sealed_type, sealed_type_code, sealed_reason,
                                                       start_at, end_at, sealed_practitioner, sealed_organization, source,
                                                       recorded_by, created_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .param(id).param(facilityId).param(access.patientId()).param(in.encounterClass().strip())
                .param(text.seal(access.patientId(), facilityId, "type", id, in.type().strip()))
                .param(text.seal(access.patientId(), facilityId, "type_code", id, in.typeCode()))
                .param(text.seal(access.patientId(), facilityId, "reason", id, in.reason())).param(Timestamp.from(in.startAt()))
                .param(in.endAt() == null ? null : Timestamp.from(in.endAt()))
                .param(text.seal(access.patientId(), facilityId, "practitioner", id, in.practitioner()))
                .param(text.seal(access.patientId(), facilityId, "organization", id, in.organization()))
                .param(in.source()).param(access.actor().staffId()).param(Timestamp.from(now)).update();
        return id;
    }

    /** Whose past encounter this is, to decide about that patient. */
    @Locates
    OptionalLong patientOf(long id) {
        return jdbc.sql("select patient_id from encounter_history where id = ?").param(id).query(Long.class).optional()
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** A past encounter of the proof's patient. */
    Optional<PastEncounter> find(PatientAccess access, long id) {
        return jdbc.sql("select " + COLUMNS + " from encounter_history where id = ? and patient_id = ?").param(id).param(access.patientId())
                .query(this::map).optional();
    }

    /** The proof's patient's past encounters, latest first. */
    List<PastEncounter> ofPatient(PatientAccess access, int limit) {
        return jdbc.sql("select " + COLUMNS + " from encounter_history where patient_id = ? order by start_at desc, id desc limit ?")
                .param(access.patientId()).param(limit).query(this::map).list();
    }

    private PastEncounter map(ResultSet rs, int row) throws SQLException {
        Timestamp end = rs.getTimestamp("end_at");
        return new PastEncounter(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("class"),
                text.open(rs, "type"), text.open(rs, "type_code"), text.open(rs, "reason"), rs.getTimestamp("start_at").toInstant(),
                end == null ? null : end.toInstant(), text.open(rs, "practitioner"), text.open(rs, "organization"), rs.getString("source"));
    }
}
