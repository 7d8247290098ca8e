package org.dossier.clinical;

import org.dossier.platform.crypto.SealedValues;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.dossier.clinical.ReceivedRecordRepository.CODE;
import static org.dossier.clinical.ReceivedRecordRepository.LABEL;
import static org.dossier.clinical.ReceivedRecordRepository.RESOURCE;
import static org.dossier.clinical.ReceivedRecordRepository.cell;

/**
 * Received records' sealed values for the data-key rotation job (ADR 0047, 0053): the resource as sent, its label and
 * its code, row by row (the cursor is the record's id). Values written before V66 come in clear, and the job seals them
 * with the patient's key. Reads and writes without a gateway decision, as the job's other tables do: nothing it reads
 * leaves the server.
 */
@Component
class ReceivedRecordSealedValues implements SealedValues {

    private static final List<String> COLUMNS = List.of(RESOURCE, LABEL, CODE);

    private final JdbcClient jdbc;

    ReceivedRecordSealedValues(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return ReceivedRecordRepository.TABLE;
    }

    @Override
    public List<Value> after(int facilityId, long after, int limit) {
        List<Value> values = new ArrayList<>();
        jdbc.sql("""
                        select id, facility_id, patient_id, resource::text as resource, label, code, sealed_resource, sealed_label, sealed_code
                          from received_record where facility_id = ? and id > ? order by id limit ?""")
                .param(facilityId).param(after).param(limit).query((ResultSet rs, int n) -> values.addAll(of(rs))).list();
        return values;
    }

    private static List<Value> of(ResultSet rs) throws SQLException {
        List<Value> values = new ArrayList<>();
        long id = rs.getLong("id");
        for (String column : COLUMNS) {
            byte[] sealed = rs.getBytes("sealed_" + column);
            String clear = sealed == null ? rs.getString(column) : null;
            if (sealed != null || clear != null) {
                values.add(new Value(id, cell(rs.getLong("patient_id"), rs.getInt("facility_id"), column, id), sealed, clear));
            }
        }
        return values;
    }

    /** Conditional on the row still holding what was read; a clear value is emptied as its sealed twin is written. */
    @Override
    public boolean replace(Value value, byte[] sealed) {
        String column = value.cell().column();
        if (!COLUMNS.contains(column)) {
            throw new IllegalArgumentException("received_record has no sealed column " + column);
        }
        String sealedColumn = "sealed_" + column;
        return (value.sealed() == null
                ? jdbc.sql("update received_record set " + sealedColumn + " = ?, " + column + " = null where id = ? and "
                + sealedColumn + " is null").param(sealed).param(value.cursor())
                : jdbc.sql("update received_record set " + sealedColumn + " = ? where id = ? and " + sealedColumn + " = ?")
                .param(sealed).param(value.cursor()).param(value.sealed())).update() == 1;
    }
}
