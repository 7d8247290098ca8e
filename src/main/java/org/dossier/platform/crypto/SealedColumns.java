package org.dossier.platform.crypto;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Free-text columns of one table of patient rows sealed with the patient's own key (ADR 0053): an appointment's reasons,
 * a referral's, a portal correction's message. The table has {@code id}, {@code facility_id} and {@code patient_id} (or
 * another column naming the patient whose key seals, such as a merge's survivor); a table whose text must outlive a
 * patient's shredding (a break-the-glass justification, ADR 0055) names none and is sealed with the facility's key.
 * Each value {@code <column>} is written to {@code sealed_<column>}, bound to its row; a row written before is read in
 * clear. Also the table's {@link SealedValues} for the data-key rotation job, row by row (the cursor is the row's id),
 * which seals the clear values left. The job's reads and writes go without a gateway decision, as its other tables do:
 * nothing it reads leaves the server. The owning module makes one bean per table and keeps its queries.
 */
public class SealedColumns implements SealedValues {

    /** What a shredded patient's text shows (ADR 0047): the row stays, its text is gone. */
    public static final String ERASED = "(erased)";

    private final JdbcClient jdbc;
    private final FieldCipher cipher;
    private final String table;
    private final String patientColumn;
    private final List<String> columns;

    /** Columns sealed with the key of the row's {@code patient_id}. */
    public SealedColumns(JdbcClient jdbc, FieldCipher cipher, String table, List<String> columns) {
        this(jdbc, cipher, table, "patient_id", columns);
    }

    /**
     * Columns sealed with the key of the patient {@code patientColumn} names, or with the facility's key when it is null
     * (text a patient's shredding must not erase).
     */
    public SealedColumns(JdbcClient jdbc, FieldCipher cipher, String table, String patientColumn, List<String> columns) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.table = table;
        this.patientColumn = patientColumn;
        this.columns = List.copyOf(columns);
    }

    private FieldCipher.Cell cell(Long patientId, int facilityId, String column, long id) {
        return patientColumn == null ? new FieldCipher.Cell(facilityId, table, column, id)
                : FieldCipher.Cell.ofPatient(patientId, facilityId, table, column, id);
    }

    private FieldCipher.Cell cell(ResultSet rs, String column) throws SQLException {
        return cell(patientColumn == null ? null : rs.getLong(patientColumn), rs.getInt("facility_id"), column, rs.getLong("id"));
    }

    /** The select list's sealed columns, to add to a query of the table's rows. */
    public String selected() {
        return String.join(", ", columns.stream().map(c -> "sealed_" + c).toList());
    }

    /**
     * Seals a value of the row (a shredded patient's: {@link ErasedValueException}, a 409, before anything is written);
     * {@code patientId} is the patient the table's patient column names, ignored by a facility-keyed table.
     */
    public byte[] seal(long patientId, int facilityId, String column, long id, String value) {
        return cipher.seal(cell(patientId, facilityId, column, id), value);
    }

    /**
     * The value of {@code column} in the current row (selected with id, facility_id and the patient column): sealed, or
     * clear if written before the table was sealed.
     */
    public String open(ResultSet rs, String column) throws SQLException {
        byte[] sealed = rs.getBytes("sealed_" + column);
        if (sealed == null) {
            return rs.getString(column);
        }
        try {
            return cipher.open(cell(rs, column), sealed);
        } catch (ErasedValueException erased) {
            return ERASED;
        }
    }

    @Override
    public String name() {
        return table;
    }

    @Override
    public List<Value> after(int facilityId, long after, int limit) {
        String clear = String.join(", ", columns);
        List<Value> values = new ArrayList<>();
        String key = patientColumn == null ? "" : patientColumn + ", ";
        jdbc.sql("select id, facility_id, " + key + clear + ", " + selected() + " from " + table
                        + " where facility_id = ? and id > ? order by id limit ?")
                .param(facilityId).param(after).param(limit).query((ResultSet rs, int n) -> values.addAll(valuesOf(rs))).list();
        return values;
    }

    private List<Value> valuesOf(ResultSet rs) throws SQLException {
        List<Value> values = new ArrayList<>();
        long id = rs.getLong("id");
        for (String column : columns) {
            byte[] sealed = rs.getBytes("sealed_" + column);
            String clear = sealed == null ? rs.getString(column) : null;
            if (sealed != null || clear != null) {
                values.add(new Value(id, cell(rs, column), sealed, clear));
            }
        }
        return values;
    }

    /** Conditional on the row still holding what was read; a clear value is emptied as its sealed twin is written. */
    @Override
    public boolean replace(Value value, byte[] sealed) {
        String column = value.cell().column();
        if (!columns.contains(column) || !table.equals(value.cell().table())) {
            throw new IllegalArgumentException(table + " has no sealed column " + column);
        }
        String twin = "sealed_" + column;
        return (value.sealed() == null
                ? jdbc.sql("update " + table + " set " + twin + " = ?, " + column + " = null where id = ? and " + twin + " is null")
                .param(sealed).param(value.cursor())
                : jdbc.sql("update " + table + " set " + twin + " = ? where id = ? and " + twin + " = ?")
                .param(sealed).param(value.cursor()).param(value.sealed())).update() == 1;
    }
}
