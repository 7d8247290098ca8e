package org.dossier.platform;

import org.dossier.platform.crypto.SealedValues;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A sealed version table's snapshots for the data-key rotation job (ADR 0047): a module whose {@link VersionLog} is
 * made with a cipher declares one as a bean. The cursor is the patient id, every version of a patient in one
 * answer; a snapshot written in clear before its table was sealed comes with its JSON, which the job seals. Reads and
 * writes without a gateway decision, as the bulk loaders do: nothing it reads leaves the server.
 */
public final class SealedVersionValues implements SealedValues {

    private static final Pattern TABLE = Pattern.compile("[a-z_]+_version");

    private final JdbcClient jdbc;
    private final String table;

    public SealedVersionValues(JdbcClient jdbc, String table) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a version table: " + table);
        }
        this.jdbc = jdbc;
        this.table = table;
    }

    @Override
    public String name() {
        return table;
    }

    @Override
    public List<Value> after(int facilityId, long after, int limit) {
        List<Long> patients = jdbc.sql("select distinct patient_id from " + table + " where facility_id = ? and patient_id > ?"
                        + " order by patient_id limit ?").param(facilityId).param(after).param(limit).query(Long.class).list();
        if (patients.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select patient_id, facility_id, entity_type, entity_id, version, sealed_snapshot,"
                        + " case when sealed_snapshot is null then snapshot::text end from " + table
                        + " where facility_id = ? and patient_id between ? and ? order by patient_id")
                .param(facilityId).param(patients.get(0)).param(patients.get(patients.size() - 1))
                .query((rs, n) -> new Value(rs.getLong(1), VersionLog.snapshotCell(table, rs.getString(3), rs.getLong(4), rs.getInt(5),
                        rs.getInt(2), rs.getLong(1)), rs.getBytes(6), rs.getString(7))).list();
    }

    @Override
    public boolean replace(Value value, byte[] sealed) {
        String column = value.cell().column();
        // the cell's column is "snapshot/<entity type>/<version>" (VersionLog.snapshotCell)
        int last = column.lastIndexOf('/');
        String entityType = column.substring("snapshot/".length(), last);
        int version = Integer.parseInt(column.substring(last + 1));
        String where = " where entity_type = ? and entity_id = ? and version = ? and ";
        return (value.sealed() == null
                ? jdbc.sql("update " + table + " set sealed_snapshot = ?, snapshot = null" + where + "sealed_snapshot is null")
                .param(sealed).param(entityType).param(value.cell().rowId()).param(version)
                : jdbc.sql("update " + table + " set sealed_snapshot = ?" + where + "sealed_snapshot = ?")
                .param(sealed).param(entityType).param(value.cell().rowId()).param(version).param(value.sealed())).update() == 1;
    }
}
