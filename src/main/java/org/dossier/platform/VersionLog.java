package org.dossier.platform;

import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The append-only history of a module's versioned records: every version of every record, whole, with
 * its author, time and reason. Each module keeps its own table of this shape:
 * {@code (entity_type, entity_id, version, facility_id, patient_id, recorded_at, author_id, reason, snapshot)}.
 */
public final class VersionLog {

    private static final Pattern TABLE = Pattern.compile("[a-z_]+_version");

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String table;

    public VersionLog(JdbcClient jdbc, JsonMapper json, String table) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a version table: " + table);
        }
        this.jdbc = jdbc;
        this.json = json;
        this.table = table;
    }

    public void record(String entityType, long entityId, int version, int facilityId, long patientId, Long authorId,
                       String reason, Object snapshot, Instant at) {
        jdbc.sql("insert into " + table + " (entity_type, entity_id, version, facility_id, patient_id, recorded_at, author_id,"
                        + " reason, snapshot) values (?, ?, ?, ?, ?, ?, ?, ?, cast(? as json))")
                .param(entityType).param(entityId).param(version).param(facilityId).param(patientId)
                .param(Timestamp.from(at)).param(authorId).param(reason).param(json.writeValueAsString(snapshot))
                .update();
    }

    /**
     * Every version of one record of one patient, newest first, each snapshot read back as {@code type}: a read made under
     * a proof about that patient finds nothing of another's.
     */
    public <T> List<Version<T>> history(String entityType, long entityId, long patientId, Class<T> type) {
        return jdbc.sql("select version, recorded_at, author_id, reason, snapshot::text as snapshot from " + table
                        + " where entity_type = ? and entity_id = ? and patient_id = ? order by version desc limit 500")
                .param(entityType).param(entityId).param(patientId)
                .query((rs, n) -> version(rs, type)).list();
    }

    private <T> Version<T> version(ResultSet rs, Class<T> type) throws SQLException {
        return new Version<>(rs.getInt("version"), rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("author_id"),
                rs.getString("reason"), json.readValue(rs.getString("snapshot"), type));
    }

    /**
     * When one version of a record was recorded (the Last-Modified of an answer showing it), or null when that version
     * is not kept; reads the time only, never the snapshot.
     */
    public Instant recordedAt(String entityType, long entityId, int version) {
        return jdbc.sql("select recorded_at from " + table + " where entity_type = ? and entity_id = ? and version = ?")
                .param(entityType).param(entityId).param(version)
                .query((rs, n) -> rs.getTimestamp("recorded_at").toInstant()).optional().orElse(null);
    }

    /** A record as read now, with the time its current version was recorded (null when that version is not kept). */
    public record Dated<T>(T record, Instant recordedAt) {
    }

    /** One recorded version: the record as it became, who changed it, when and why. */
    public record Version<T>(int version, Instant recordedAt, Long authorId, String reason, T record) {
    }
}
