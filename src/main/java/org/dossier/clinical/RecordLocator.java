package org.dossier.clinical;

import org.dossier.access.Locates;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which patient a clinical record belongs to, read before the gateway decides about that patient: identifiers and the
 * version the change's audit entry names, never what the record says.
 */
@Repository
class RecordLocator {

    private final JdbcClient jdbc;

    RecordLocator(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Locates
    OptionalLong patientOf(RecordKind kind, long id) {
        return optional(jdbc.sql("select patient_id from " + kind.table() + " where id = ?").param(id).query(Long.class).optional());
    }

    /** The version a change starts from, as its audit entry says ("version 2 -> 3"). */
    @Locates
    Optional<Integer> versionOf(RecordKind kind, long id) {
        return jdbc.sql("select version from " + kind.table() + " where id = ?").param(id).query(Integer.class).optional();
    }

    /** A note's patient, as {@code reader} may name it: another clinician's draft is work in progress, not yet part of the record. */
    @Locates
    OptionalLong patientOfNote(long id, long reader) {
        return optional(jdbc.sql("select patient_id from clinical_note where id = ? and (status <> 'DRAFT' or author_id = ?)")
                .param(id).param(reader).query(Long.class).optional());
    }

    /** A received record's patient, when it is of {@code type} (ids are per type to a FHIR client). */
    @Locates
    OptionalLong patientOfReceived(long id, String type) {
        return optional(jdbc.sql("select patient_id from received_record where id = ? and resource_type = ?")
                .param(id).param(type).query(Long.class).optional());
    }

    private static OptionalLong optional(Optional<Long> id) {
        return id.map(OptionalLong::of).orElseGet(OptionalLong::empty);
    }
}
