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
 * {@code (entity_type, entity_id, version, facility_id, patient_id, recorded_at, author_id, reason, snapshot)}. A log made
 * with a {@link FieldCipher} writes each snapshot sealed with the patient's own key in {@code sealed_snapshot} instead
 * (issue 22), bound to its record and version; it still reads the clear snapshots written before, and a shredded
 * patient's versions keep their number, time, author and reason, the record itself read as {@code null}.
 */
public final class VersionLog {

    private static final Pattern TABLE = Pattern.compile("[a-z_]+_version");

    /** What a shredded patient's sealed reason reads as. */
    private static final String ERASED = "(erased)";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String table;
    private final FieldCipher cipher;

    public VersionLog(JdbcClient jdbc, JsonMapper json, String table) {
        this(jdbc, json, table, null);
    }

    /** A log whose snapshots are sealed (its table has a {@code sealed_snapshot} column). */
    public VersionLog(JdbcClient jdbc, JsonMapper json, String table, FieldCipher cipher) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a version table: " + table);
        }
        this.jdbc = jdbc;
        this.json = json;
        this.table = table;
        this.cipher = cipher;
    }

    /** Where one version's sealed snapshot lives: its table, record and version, the patient's key sealing it. */
    public static FieldCipher.Cell snapshotCell(String table, String entityType, long entityId, int version, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, table, "snapshot/" + entityType + "/" + version, entityId);
    }

    /** Where one version's sealed reason lives (V69). */
    static FieldCipher.Cell reasonCell(String table, String entityType, long entityId, int version, int facilityId, long patientId) {
        return FieldCipher.Cell.ofPatient(patientId, facilityId, table, "reason/" + entityType + "/" + version, entityId);
    }

    public void record(String entityType, long entityId, int version, int facilityId, long patientId, Long authorId,
                       String reason, Object snapshot, Instant at) {
        String whole = json.writeValueAsString(snapshot);
        if (cipher != null) {
            // the reason too: it may repeat what the record says ("referred: <why>", V69)
            jdbc.sql("insert into " + table + " (entity_type, entity_id, version, facility_id, patient_id, recorded_at, author_id,"
                            + " sealed_reason, sealed_snapshot) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .param(entityType).param(entityId).param(version).param(facilityId).param(patientId).param(Timestamp.from(at))
                    .param(authorId).param(cipher.seal(reasonCell(table, entityType, entityId, version, facilityId, patientId), reason))
                    .param(cipher.seal(snapshotCell(table, entityType, entityId, version, facilityId, patientId), whole)).update();
            return;
        }
        jdbc.sql("insert into " + table + " (entity_type, entity_id, version, facility_id, patient_id, recorded_at, author_id,"
                        + " reason, snapshot) values (?, ?, ?, ?, ?, ?, ?, ?, cast(? as json))")
                .param(entityType).param(entityId).param(version).param(facilityId).param(patientId)
                .param(Timestamp.from(at)).param(authorId).param(reason).param(whole)
                .update();
    }

    /**
     * Every version of one record of one patient, newest first, each snapshot read back as {@code type}: a read made under
     * a proof about that patient finds nothing of another's.
     */
    public <T> List<Version<T>> history(String entityType, long entityId, long patientId, Class<T> type) {
        return jdbc.sql("select version, recorded_at, author_id, reason, snapshot::text as snapshot, facility_id"
                        + (cipher == null ? "" : ", sealed_snapshot, sealed_reason") + " from " + table
                        + " where entity_type = ? and entity_id = ? and patient_id = ? order by version desc limit 500")
                .param(entityType).param(entityId).param(patientId)
                .query((rs, n) -> version(rs, type, entityType, entityId, patientId)).list();
    }

    private <T> Version<T> version(ResultSet rs, Class<T> type, String entityType, long entityId, long patientId) throws SQLException {
        int version = rs.getInt("version");
        String whole = rs.getString("snapshot");
        byte[] sealed = cipher == null ? null : rs.getBytes("sealed_snapshot");
        byte[] sealedReason = cipher == null ? null : rs.getBytes("sealed_reason");
        int facilityId = rs.getInt("facility_id");
        T record = null;
        String reason = rs.getString("reason");
        try {
            whole = sealed == null ? whole : cipher.open(snapshotCell(table, entityType, entityId, version, facilityId, patientId), sealed);
            record = json.readValue(whole, type);
            reason = sealedReason == null ? reason
                    : cipher.open(reasonCell(table, entityType, entityId, version, facilityId, patientId), sealedReason);
        } catch (ErasedValueException erased) {
            // a shredded patient's history keeps its dates and authors; what the record said, and why, is gone (ADR 0047)
            reason = sealedReason == null ? reason : ERASED;
        }
        return new Version<>(version, rs.getTimestamp("recorded_at").toInstant(), (Long) rs.getObject("author_id"), reason, record);
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
