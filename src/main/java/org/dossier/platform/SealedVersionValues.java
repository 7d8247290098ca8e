package org.dossier.platform;

import org.dossier.platform.crypto.SealedValues;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A sealed version table's snapshots and reasons for the data-key rotation job (ADR 0047): a module whose {@link VersionLog} is
 * made with a cipher declares one as a bean. The cursor is the patient id, every version of a patient in one
 * answer; a snapshot written in clear before its table was sealed comes with its JSON, a reason written before V69 with
 * its words, which the job seals. Reads and
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
        return between(facilityId, patients.get(0), patients.get(patients.size() - 1));
    }

    /** The snapshots and reasons of the versions of the patients with ids in [first, last] of a facility. */
    public List<Value> between(int facilityId, long first, long last) {
        List<Value> values = new java.util.ArrayList<>();
        jdbc.sql("select patient_id, facility_id, entity_type, entity_id, version, sealed_snapshot,"
                        + " case when sealed_snapshot is null then snapshot::text end, sealed_reason, case when sealed_reason is null"
                        + " then reason end from " + table + " where facility_id = ? and patient_id between ? and ? order by patient_id")
                .param(facilityId).param(first).param(last)
                .query((java.sql.ResultSet rs) -> {
                    long patient = rs.getLong(1);
                    int facility = rs.getInt(2);
                    String type = rs.getString(3);
                    long entity = rs.getLong(4);
                    int version = rs.getInt(5);
                    values.add(new Value(patient, VersionLog.snapshotCell(table, type, entity, version, facility, patient), rs.getBytes(6),
                            rs.getString(7)));
                    // a reason written before V69 may repeat the record's words ("referred: <why>"): sealed too
                    if (rs.getBytes(8) != null || rs.getString(9) != null) {
                        values.add(new Value(patient, VersionLog.reasonCell(table, type, entity, version, facility, patient), rs.getBytes(8),
                                rs.getString(9)));
                    }
                });
        return values;
    }

    @Override
    public boolean replace(Value value, byte[] sealed) {
        String column = value.cell().column();
        // the cell's column is "snapshot/<entity type>/<version>" or "reason/<entity type>/<version>" (VersionLog's cells)
        int first = column.indexOf('/');
        int last = column.lastIndexOf('/');
        String field = column.substring(0, first);
        if (!field.equals("snapshot") && !field.equals("reason")) {
            throw new IllegalArgumentException(table + " has no sealed " + column);
        }
        String entityType = column.substring(first + 1, last);
        int version = Integer.parseInt(column.substring(last + 1));
        String twin = "sealed_" + field;
        String where = " where entity_type = ? and entity_id = ? and version = ? and ";
        return (value.sealed() == null
                ? jdbc.sql("update " + table + " set " + twin + " = ?, " + field + " = null" + where + twin + " is null")
                .param(sealed).param(entityType).param(value.cell().rowId()).param(version)
                : jdbc.sql("update " + table + " set " + twin + " = ?" + where + twin + " = ?")
                .param(sealed).param(entityType).param(value.cell().rowId()).param(version).param(value.sealed())).update() == 1;
    }
}
