package org.dossier.access;

import org.dossier.organization.Actor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Imports of records from another system, as the gateway allows them: an administrator starts a run for one
 * facility, and the work done within it may register patients and write their history, nothing else.
 */
@Service
public class Imports {

    private final AccessGateway gateway;
    private final JdbcClient jdbc;
    private final Clock clock;

    Imports(AccessGateway gateway, JdbcClient jdbc, Clock clock) {
        this.gateway = gateway;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A record an import stored ({@code resourceType}/{@code recordId} as served) and the source's id of what it was sent as. */
    public record Origin(String resourceType, String recordId, Long patientId, String originalId) {
    }

    /** Where a record came from: the import (file or bundle, as the audit trail names it) and the source's id of it. */
    public record Source(String importedFrom, String originalId) {
    }

    /** Starts a run (403, audited, unless an administrator of the facility; a browser session needs a fresh second factor). */
    public ImportRun begin(Actor actor, int facilityId, String source) {
        return gateway.beginImport(actor, facilityId, source);
    }

    /** Runs {@code work} as the run: its actor is confined to the patients the run registers. */
    public <T> T within(ImportRun run, Supplier<T> work) {
        return gateway.within(run, work);
    }

    /**
     * Remembers where the records a run stored came from: one statement for the whole run, its values as arrays (a
     * twenty-year Synthea history stores over 10,000 entries, more than a statement's 65,535 parameters would take row by row).
     */
    public void remember(ImportRun run, List<Origin> origins) {
        if (origins.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        insert into import_origin (resource_type, record_id, facility_id, patient_id, source, original_id, imported_at)
                        select t, r, ?, p, ?, o, ? from unnest(cast(? as text[]), cast(? as text[]), cast(? as bigint[]), cast(? as text[])) as u(t, r, p, o)
                        on conflict do nothing""")
                .param(run.facilityId()).param(run.source()).param(Timestamp.from(clock.instant()))
                .param(origins.stream().map(Origin::resourceType).toArray(String[]::new))
                .param(origins.stream().map(Origin::recordId).toArray(String[]::new))
                .param(origins.stream().map(Origin::patientId).toArray(Long[]::new))
                .param(origins.stream().map(Origin::originalId).toArray(String[]::new))
                .update();
    }

    /**
     * Where records of one type already served to the caller came from, by record id: the import's source and the
     * source's id of the resource. Records made here have none.
     */
    public Map<String, Source> origins(String resourceType, Collection<String> recordIds) {
        Map<String, Source> found = new HashMap<>();
        if (recordIds.isEmpty()) {
            return found;
        }
        jdbc.sql("select record_id, source, original_id from import_origin where resource_type = ? and record_id = any (?)")
                .param(resourceType).param(recordIds.toArray(String[]::new))
                .query((rs, n) -> found.put(rs.getString(1), new Source(rs.getString(2), rs.getString(3)))).list();
        return found;
    }
}
