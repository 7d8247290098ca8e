package org.dossier.platform;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a versioned record of a patient stands before a change of it is decided: whose record it is, its version and its
 * status. The gateway decides on the patient, and the audit entry describes the change ("version 1 -> 2, ACTIVE ->
 * ENDED"), before anything the record says is read. A repository's {@code @Locates} method answers these facts as numbers
 * only ({@link #facts}), the status as its place in the record's list of statuses; {@link #of} names them again.
 */
public record Located(long patientId, int version, String status) {

    private static final Pattern TABLE = Pattern.compile("[a-z_]+");

    /**
     * Patient, version and the status's place in {@code statuses} (counted from 1; 0 for another status) of record
     * {@code id} of {@code table}; empty when there is no such record.
     */
    public static List<Long> facts(JdbcClient jdbc, String table, long id, List<String> statuses) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table: " + table);
        }
        return jdbc.sql("select patient_id, version, coalesce(array_position(cast(? as text[]), status::text), 0) from " + table
                        + " where id = ?")
                .param(statuses.toArray(String[]::new)).param(id)
                .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional().orElse(List.of());
    }

    /** The facts {@link #facts} answered, named again; empty when there is no such record. */
    public static Optional<Located> of(List<Long> facts, List<String> statuses) {
        if (facts.isEmpty()) {
            return Optional.empty();
        }
        int place = facts.get(2).intValue();
        return Optional.of(new Located(facts.get(0), facts.get(1).intValue(), place == 0 ? null : statuses.get(place - 1)));
    }

    /** The change as its audit entry describes it: the versions before and after, then {@code what}. */
    public String change(String what) {
        return "version " + version + " -> " + (version + 1) + ", " + what;
    }

    /** A change of status, described from the status located to {@code to}. */
    public String changeTo(Object to) {
        return change(status + " -> " + to);
    }
}
