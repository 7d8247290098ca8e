package org.dossier.care;

import org.dossier.access.Locates;
import org.dossier.access.PatientAccess;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Encounters imported as history: each method reads what its proof covers, one patient. */
@Repository
class EncounterHistoryRepository {

    private static final String COLUMNS = "id, facility_id, patient_id, class, type, type_code, reason, start_at, end_at, practitioner,"
            + " organization, source";

    private final JdbcClient jdbc;

    EncounterHistoryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a past encounter of the proof's patient, in the patient's facility. */
    long insert(PatientAccess access, EncounterHistoryService.PastEncounterInput in, Instant now) {
        return jdbc.sql("""
                        insert into encounter_history (facility_id, patient_id, class, type, type_code, reason, start_at, end_at,
                                                       practitioner, organization, source, recorded_by, created_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
                .param(access.patient().facilityId()).param(access.patientId()).param(in.encounterClass().strip()).param(in.type().strip())
                .param(in.typeCode()).param(in.reason()).param(Timestamp.from(in.startAt()))
                .param(in.endAt() == null ? null : Timestamp.from(in.endAt())).param(in.practitioner()).param(in.organization())
                .param(in.source()).param(access.actor().staffId()).param(Timestamp.from(now)).query(Long.class).single();
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
                .query(EncounterHistoryRepository::map).optional();
    }

    /** The proof's patient's past encounters, latest first. */
    List<PastEncounter> ofPatient(PatientAccess access, int limit) {
        return jdbc.sql("select " + COLUMNS + " from encounter_history where patient_id = ? order by start_at desc, id desc limit ?")
                .param(access.patientId()).param(limit).query(EncounterHistoryRepository::map).list();
    }

    private static PastEncounter map(ResultSet rs, int row) throws SQLException {
        Timestamp end = rs.getTimestamp("end_at");
        return new PastEncounter(rs.getLong("id"), rs.getInt("facility_id"), rs.getLong("patient_id"), rs.getString("class"),
                rs.getString("type"), rs.getString("type_code"), rs.getString("reason"), rs.getTimestamp("start_at").toInstant(),
                end == null ? null : end.toInstant(), rs.getString("practitioner"), rs.getString("organization"), rs.getString("source"));
    }
}
