package org.dossier.clinical.bulk;

import org.dossier.clinical.ClinicalSeal;
import org.dossier.platform.SealedVersionValues;
import org.dossier.platform.crypto.SealedValues;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The clinical record's sealed values for the data-key rotation job (ADR 0047, 0051), patient by patient (the cursor is
 * the patient id): every row's words, every document's bytes and every version. Rows written before V64 come with their
 * clear words as the JSON {@link ClinicalSeal} seals, and are sealed in place of their clear columns (an observation with
 * its code's blind index, a document with its bytes). Like the bulk loader, this reads and writes without a gateway
 * decision; nothing it reads leaves the server.
 */
@Component
class ClinicalSealedValues implements SealedValues {

    /** Each table's words as the clear columns of a row written before V64 hold them, and the columns sealing them empties. */
    private static final Map<String, String[]> TABLES = Map.of(
            "clinical_note", new String[]{"json_build_object('title', title, 'body', body)", "title = null, body = null"},
            "allergy", new String[]{"json_build_object('substance', substance, 'substanceCode', substance_code, 'reaction', reaction,"
                    + " 'source', source::text)", "substance = null, substance_code = null, reaction = null, source = null"},
            "problem", new String[]{"json_build_object('code', icd10_code, 'label', label, 'source', source::text)",
                    "icd10_code = null, label = null, source = null"},
            "observation", new String[]{"json_build_object('code', code, 'label', label, 'source', source::text, 'result', result::text)",
                    "code = null, label = null, source = null, result = null"},
            "clinical_document", new String[]{"json_build_object('title', title)", "title = null, content = null"},
            "immunization", new String[]{"json_build_object('code', code, 'label', label, 'source', source::text)",
                    "code = null, label = null, source = null"},
            "procedure_record", new String[]{"json_build_object('code', code, 'label', label, 'source', source::text)",
                    "code = null, label = null, source = null"});
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final ClinicalSeal seal;
    private final SealedVersionValues versions;

    ClinicalSealedValues(JdbcClient jdbc, ClinicalSeal seal) {
        this.versions = new SealedVersionValues(jdbc, "clinical_version");
        this.jdbc = jdbc;
        this.seal = seal;
    }

    @Override
    public String name() {
        return "clinical";
    }

    @Override
    public List<Value> after(int facilityId, long after, int limit) {
        String union = String.join(" union ", TABLES.keySet().stream()
                .map(t -> "select patient_id from " + t + " where facility_id = :f and patient_id > :after").toList())
                + " union select patient_id from clinical_version where facility_id = :f and patient_id > :after";
        List<Long> ids = jdbc.sql("select patient_id from (" + union + ") p order by patient_id limit :limit")
                .param("f", facilityId).param("after", after).param("limit", limit).query(Long.class).list();
        if (ids.isEmpty()) {
            return List.of();
        }
        long first = ids.get(0);
        long last = ids.get(ids.size() - 1);
        List<Value> values = new ArrayList<>();
        TABLES.forEach((table, clear) -> values.addAll(jdbc.sql("select id, patient_id, sealed_content, case when sealed_content is null then "
                        + clear[0] + "::text end from " + table + " where facility_id = ? and patient_id between ? and ?")
                .param(facilityId).param(first).param(last)
                .query((rs, n) -> new Value(rs.getLong(2), ClinicalSeal.cell(table, rs.getLong(1), facilityId, rs.getLong(2)), rs.getBytes(3),
                        rs.getString(4))).list()));
        values.addAll(jdbc.sql("select id, patient_id, sealed_file from clinical_document where facility_id = ? and patient_id between ? and ?"
                        + " and sealed_file is not null").param(facilityId).param(first).param(last)
                .query((rs, n) -> new Value(rs.getLong(2), ClinicalSeal.fileCell(rs.getLong(1), facilityId, rs.getLong(2)), rs.getBytes(3), null))
                .list());
        values.addAll(versions.between(facilityId, first, last));
        values.sort(Comparator.comparingLong(Value::cursor));
        return values;
    }

    @Override
    public boolean replace(Value value, byte[] sealed) {
        String table = value.cell().table();
        long id = value.cell().rowId();
        String column = value.cell().column();
        if ("clinical_version".equals(table)) {
            return versions.replace(value, sealed);
        }
        if (value.sealed() != null) {
            String sealedColumn = "file".equals(column) ? "sealed_file" : "sealed_content";
            return jdbc.sql("update " + table + " set " + sealedColumn + " = ? where id = ? and " + sealedColumn + " = ?")
                    .param(sealed).param(id).param(value.sealed()).update() == 1;
        }
        return sealClear(value, sealed, table, id);
    }

    /** A row written before V64: its words sealed in place of its clear columns (a document's bytes and a code's token with them). */
    private boolean sealClear(Value value, byte[] sealed, String table, long id) {
        long patientId = value.cursor();
        int facilityId = value.cell().facilityId();
        String set = "sealed_content = :sealed, " + TABLES.get(table)[1];
        JdbcClient.StatementSpec update;
        if ("observation".equals(table)) {
            String code = JSON.readValue(value.clear(), ClinicalSeal.ObservationText.class).code();
            update = jdbc.sql("update observation set " + set + ", code_token = :token where id = :id and sealed_content is null")
                    .param("token", seal.codeToken(facilityId, patientId, code));
        } else if ("clinical_document".equals(table)) {
            byte[] content = jdbc.sql("select content from clinical_document where id = ?").param(id).query(byte[].class).single();
            update = jdbc.sql("update clinical_document set " + set + ", sealed_file = :file where id = :id and sealed_content is null")
                    .param("file", seal.sealFile(id, facilityId, patientId, content));
        } else {
            update = jdbc.sql("update " + table + " set " + set + " where id = :id and sealed_content is null");
        }
        return update.param("sealed", sealed).param("id", id).update() == 1;
    }
}
