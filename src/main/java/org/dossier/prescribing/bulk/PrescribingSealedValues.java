package org.dossier.prescribing.bulk;

import org.dossier.prescribing.OrderRows;
import org.dossier.platform.crypto.SealedValues;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * The orders' sealed values for the data-key rotation job (ADR 0047, V65): each order's document and status reason,
 * patient by patient (the cursor is the patient id). An order written in clear before V65 comes with its columns as the
 * document, which the job seals, emptying them. Like the bulk loader, this reads and writes without a gateway decision;
 * nothing it reads leaves the server.
 */
@Component
class PrescribingSealedValues implements SealedValues {

    private final JdbcClient jdbc;

    PrescribingSealedValues(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "medication_order";
    }

    @Override
    public List<Value> after(int facilityId, long after, int limit) {
        List<Long> patients = jdbc.sql("select distinct patient_id from medication_order where facility_id = ? and patient_id > ?"
                + " order by patient_id limit ?").param(facilityId).param(after).param(limit).query(Long.class).list();
        if (patients.isEmpty()) {
            return List.of();
        }
        List<Value> values = new ArrayList<>();
        jdbc.sql("select id, facility_id, patient_id, sealed_order, case when sealed_order is null then " + OrderRows.CLEAR_DOCUMENT
                        + " end, sealed_status_reason, status_reason from medication_order"
                        + " where facility_id = ? and patient_id between ? and ? order by patient_id, id")
                .param(facilityId).param(patients.get(0)).param(patients.get(patients.size() - 1))
                .query(rs -> {
                    long id = rs.getLong(1);
                    long patientId = rs.getLong(3);
                    values.add(new Value(patientId, OrderRows.orderCell(id, rs.getInt(2), patientId), rs.getBytes(4), rs.getString(5)));
                    if (rs.getBytes(6) != null || rs.getString(7) != null) {
                        values.add(new Value(patientId, OrderRows.statusReasonCell(id, rs.getInt(2), patientId), rs.getBytes(6),
                                rs.getString(7)));
                    }
                });
        return values;
    }

    @Override
    public boolean replace(Value value, byte[] sealed) {
        long id = value.cell().rowId();
        boolean order = value.cell().column().equals("order");
        if (value.sealed() != null) {
            String column = order ? "sealed_order" : "sealed_status_reason";
            return jdbc.sql("update medication_order set " + column + " = ? where id = ? and " + column + " = ?")
                    .param(sealed).param(id).param(value.sealed()).update() == 1;
        }
        return (order ? jdbc.sql("""
                        update medication_order set sealed_order = ?, drug = null, atc_code = null, cip13 = null, dose = null,
                            route = null, frequency = null, allergy_override_reason = null, source = null
                         where id = ? and sealed_order is null""")
                : jdbc.sql("update medication_order set sealed_status_reason = ?, status_reason = null where id = ?"
                + " and sealed_status_reason is null and status_reason is not null")).param(sealed).param(id).update() == 1;
    }
}
