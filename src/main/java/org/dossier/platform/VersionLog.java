package org.dossier.platform;

import org.dossier.platform.crypto.ErasedValueException;
import org.dossier.platform.crypto.FieldCipher;
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
 * A log made {@link #sealed} writes each snapshot sealed with its patient's own key into {@code sealed_snapshot}
 * instead (issue 22), and still reads the snapshots written in clear before; a shredded patient's versions read with a
 * {@code null} record.
 */
public final class VersionLog {

    private static final Pattern TABLE = Pattern.compile("[a-z_]+_version");

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String table;
    private final FieldCipher cipher;

    public VersionLog(JdbcClient jdbc, JsonMapper json, String table) {
        this(jdbc, json, table, null);
    }

    private VersionLog(JdbcClient jdbc, JsonMapper json, String table, FieldCipher cipher) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a version table: " + table);
        }
        this.jdbc = jdbc;
        this.json = json;
        this.table = table;
        this.cipher = cipher;
    }

    /** A log whose table has a {@code sealed_snapshot} column: snapshots are written sealed with the patient's key. */
    public static VersionLog sealed(JdbcClient jdbc, JsonMapper json, String table, FieldCipher cipher) {
        return new VersionLog(jdbc, json, table, java.util.Objects.requireNonNull(cipher));
    }

    /**
     * Where one version's sealed snapshot lives: bound to its table, record and version, sealed with its patient's key.
     * The bulk loaders and the data-key rotation job seal and open the same cells.
     */
    public static FieldCipher.Cell cell(String table, String entityType, long entityId, int version, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, table, entityType + "/snapshot/" + version, entityId);
    }

    public void record(String entityType, long entityId, int version, int facilityId, long patientId, Long authorId,
                       String reason, Object snapshot, Instant at) {
        String text = json.writeValueAsString(snapshot);
        byte[] sealed = cipher == null ? null : cipher.seal(cell(table, entityType, entityId, version, facilityId, patientId), text);
        jdbc.sql("insert into " + table + " (entity_type, entity_id, version, facility_id, patient_id, recorded_at, author_id,"
                        + " reason, " + (sealed == null ? "snapshot) values (?, ?, ?, ?, ?, ?, ?, ?, cast(? as json))"
                        : "sealed_snapshot) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
                .param(entityType).param(entityId).param(version).param(facilityId).param(patientId)
                .param(Timestamp.from(at)).param(authorId).param(reason).param(sealed == null ? text : sealed)
                .update();
    }

    /**
     * Every version of one record of one patient, newest first, each snapshot read back as {@code type}: a read made under
     * a proof about that patient finds nothing of another's.
     */
    public <T> List<Version<T>> history(String entityType, long entityId, long patientId, Class<T> type) {
        return jdbc.sql("select version, recorded_at, author_id, reason, facility_id, snapshot::text as snapshot"
                        + (cipher == null ? "" : ", sealed_snapshot") + " from " + table
                        + " where entity_type = ? and entity_id = ? and patient_id = ? order by version desc limit 500")
                .param(entityType).param(entityId).param(patientId)
                .query((rs, n) -> version(rs, type, entityType, entityId, patientId)).list();
    }

    private <T> Version<T> version(ResultSet rs, Class<T> type, String entityType, long entityId, long patientId) throws SQLException {
        int version = rs.getInt("version");
        String text = rs.getString("snapshot");
        byte[] sealed = cipher == null ? null : rs.getBytes("sealed_snapshot");
        T record;
        try {
            record = sealed == null ? json.readValue(text, type) : json.readValue(cipher.open(
                    cell(table, entityType, entityId, version, rs.getInt("facility_id"), patientId), sealed), type);
        } catch (ErasedValueException erased) {
            record = null; // a shredded patient (ADR 0047): the version's facts stay, its content is gone
        }
        return new Version<>(version, rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("author_id"),
                rs.getString("reason"), record);
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
