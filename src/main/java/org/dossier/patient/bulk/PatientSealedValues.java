package org.dossier.patient.bulk;

import org.dossier.patient.PatientRows;
import org.dossier.platform.crypto.SealedValues;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The registry's sealed values for the data-key rotation job (ADR 0047): a patient's details and every version of the
 * record with its reason, patient by patient (the cursor is the patient id). Rows written before V50 come with their
 * clear JSON, and reasons written before V70 (or by the bulk loader) in clear, which the job seals. Like the bulk
 * loader, this reads and writes rows without a gateway decision; nothing it reads leaves the server.
 */
@Component
class PatientSealedValues implements SealedValues {

    private final JdbcClient jdbc;

    PatientSealedValues(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "patient";
    }

    @Override
    public List<Value> after(int facilityId, long after, int limit) {
        List<Long> ids = jdbc.sql("select id from patient where facility_id = ? and id > ? order by id limit ?")
                .param(facilityId).param(after).param(limit).query(Long.class).list();
        if (ids.isEmpty()) {
            return List.of();
        }
        long first = ids.get(0);
        long last = ids.get(ids.size() - 1);
        List<Value> values = new ArrayList<>(jdbc.sql("""
                        select id, facility_id, sealed_details, case when sealed_details is null then details::text end
                          from patient where facility_id = ? and id between ? and ?""")
                .param(facilityId).param(first).param(last)
                .query((rs, n) -> new Value(rs.getLong(1), PatientRows.detailsCell(rs.getLong(1), rs.getInt(2)), rs.getBytes(3),
                        rs.getString(4))).list());
        jdbc.sql("""
                        select patient_id, facility_id, version, sealed_snapshot, case when sealed_snapshot is null then snapshot::text end,
                               sealed_reason, reason
                          from patient_version where facility_id = ? and patient_id between ? and ?""")
                .param(facilityId).param(first).param(last)
                .query((java.sql.ResultSet rs) -> {
                    values.add(new Value(rs.getLong(1), PatientRows.versionCell(rs.getLong(1), rs.getInt(2), rs.getInt(3)),
                            rs.getBytes(4), rs.getString(5)));
                    if (rs.getBytes(6) != null || rs.getString(7) != null) {
                        values.add(new Value(rs.getLong(1), PatientRows.versionReasonCell(rs.getLong(1), rs.getInt(2), rs.getInt(3)),
                                rs.getBytes(6), rs.getString(7)));
                    }
                });
        values.sort(Comparator.comparingLong(Value::cursor));
        return values;
    }

    @Override
    public boolean replace(Value value, byte[] sealed) {
        long patientId = value.cursor();
        if ("patient".equals(value.cell().table())) {
            return (value.sealed() == null
                    ? jdbc.sql("update patient set sealed_details = ?, details = null where id = ? and sealed_details is null")
                    .param(sealed).param(patientId)
                    : jdbc.sql("update patient set sealed_details = ? where id = ? and sealed_details = ?")
                    .param(sealed).param(patientId).param(value.sealed())).update() == 1;
        }
        // the cell's column is "snapshot/<version>" or "reason/<version>" (PatientRows)
        String column = value.cell().column();
        String clear = column.substring(0, column.indexOf('/'));
        if (!clear.equals("snapshot") && !clear.equals("reason")) {
            throw new IllegalArgumentException("patient_version has no sealed column " + column);
        }
        String twin = "sealed_" + clear;
        int version = Integer.parseInt(column.substring(clear.length() + 1));
        return (value.sealed() == null
                ? jdbc.sql("update patient_version set " + twin + " = ?, " + clear + " = null where patient_id = ? and version = ?"
                + " and " + twin + " is null").param(sealed).param(patientId).param(version)
                : jdbc.sql("update patient_version set " + twin + " = ? where patient_id = ? and version = ? and " + twin + " = ?")
                .param(sealed).param(patientId).param(version).param(value.sealed())).update() == 1;
    }
}
