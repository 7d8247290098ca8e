package org.dossier.billing.bulk;

import org.dossier.billing.BillingRows;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.SealedValues;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Billing's sealed values for the data-key rotation job (ADR 0047, V65): card reads' documents, claims' beneficiary NIR
 * and rejection reason, invoices' status reason, patient by patient (the cursor is the patient id). A row written in
 * clear before V65 comes with its clear value, which the job seals, emptying the plaintext column. Like the bulk loader,
 * this reads and writes without a gateway decision; nothing it reads leaves the server.
 */
@Component
class BillingSealedValues implements SealedValues {

    /** A sealed column: its table, its plaintext form in SQL, and how its cell is named. */
    private record Column(String table, String sealed, String clear, String cellColumn) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("health_card_read", "sealed_card", BillingRows.CLEAR_CARD, "card"),
            new Column("claim", "sealed_beneficiary_nir", "beneficiary_nir", "beneficiary_nir"),
            new Column("claim", "sealed_rejection_reason", "rejection_reason", "rejection_reason"),
            new Column("invoice", "sealed_status_reason", "status_reason", "status_reason"));

    private final JdbcClient jdbc;

    BillingSealedValues(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "billing";
    }

    @Override
    public List<Value> after(int facilityId, long after, int limit) {
        List<Long> patients = jdbc.sql("""
                        select patient_id from (select patient_id from invoice where facility_id = ? and patient_id > ?
                            union select patient_id from health_card_read where facility_id = ? and patient_id > ?) p
                         order by patient_id limit ?""")
                .param(facilityId).param(after).param(facilityId).param(after).param(limit).query(Long.class).list();
        if (patients.isEmpty()) {
            return List.of();
        }
        List<Value> values = new ArrayList<>();
        for (Column c : COLUMNS) {
            jdbc.sql("select id, patient_id, " + c.sealed() + ", case when " + c.sealed() + " is null then (" + c.clear() + ")::text end"
                            + " from " + c.table() + " where facility_id = ? and patient_id between ? and ?")
                    .param(facilityId).param(patients.get(0)).param(patients.get(patients.size() - 1))
                    .query(rs -> {
                        if (rs.getBytes(3) != null || rs.getString(4) != null) {
                            values.add(new Value(rs.getLong(2), FieldCipher.Cell.ofPatient(rs.getLong(2), facilityId, c.table(),
                                    c.cellColumn(), rs.getLong(1)), rs.getBytes(3), rs.getString(4)));
                        }
                    });
        }
        values.sort(Comparator.comparingLong(Value::cursor));
        return values;
    }

    @Override
    public boolean replace(Value value, byte[] sealed) {
        Column c = COLUMNS.stream().filter(k -> k.table().equals(value.cell().table()) && k.cellColumn().equals(value.cell().column()))
                .findFirst().orElseThrow();
        long id = value.cell().rowId();
        if (value.sealed() != null) {
            return jdbc.sql("update " + c.table() + " set " + c.sealed() + " = ? where id = ? and " + c.sealed() + " = ?")
                    .param(sealed).param(id).param(value.sealed()).update() == 1;
        }
        String clear = c.table().equals("health_card_read")
                ? "card_holder_name = null, card_holder_nir = null, beneficiary_name = null, rights = null" : c.clear() + " = null";
        return jdbc.sql("update " + c.table() + " set " + c.sealed() + " = ?, " + clear + " where id = ? and " + c.sealed() + " is null")
                .param(sealed).param(id).update() == 1;
    }
}
