package org.dossier.organization.bulk;

import org.dossier.organization.CareUnit;
import org.dossier.organization.Facility;
import org.dossier.organization.StaffMember;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a whole generated organization at once (the demo hospital). Write-only: it returns nothing
 * and is used on an empty database only.
 */
@Component
public class OrganizationBulkLoader {

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    OrganizationBulkLoader(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public boolean isEmpty() {
        Integer count = jdbc.queryForObject("select count(*) from facility", Integer.class);
        return count == null || count == 0;
    }

    @Transactional
    public void load(List<Facility> facilities, List<CareUnit> units, List<StaffMember> staff, String reason) {
        jdbc.batchUpdate("insert into facility (id, finess, name, city) values (?, ?, ?, ?)",
                facilities.stream().map(f -> new Object[]{f.id(), f.finess(), f.name(), f.city()}).toList());
        jdbc.batchUpdate("insert into care_unit (id, facility_id, code, name, kind, beds) overriding system value values (?, ?, ?, ?, ?, ?)",
                units.stream().map(u -> new Object[]{u.id(), u.facilityId(), u.code(), u.name(), u.kind().name(), u.beds()}).toList());
        jdbc.execute("select setval(pg_get_serial_sequence('care_unit', 'id'), (select coalesce(max(id), 1) from care_unit))");
        List<Object[]> staffRows = new ArrayList<>();
        List<Object[]> roles = new ArrayList<>();
        List<Object[]> memberships = new ArrayList<>();
        List<Object[]> unitRows = new ArrayList<>();
        List<Object[]> versions = new ArrayList<>();
        for (StaffMember s : staff) {
            Timestamp created = Timestamp.from(s.createdAt());
            staffRows.add(new Object[]{s.id(), s.username(), s.displayName(), s.rpps(), s.status().name(), s.version(), created, created});
            s.roles().forEach(r -> roles.add(new Object[]{s.id(), r.name()}));
            s.facilityIds().forEach(f -> memberships.add(new Object[]{s.id(), f}));
            s.unitIds().forEach(u -> unitRows.add(new Object[]{s.id(), u}));
            versions.add(new Object[]{s.id(), s.version(), created, reason, json.writeValueAsString(s)});
        }
        jdbc.batchUpdate("""
                insert into staff (id, username, display_name, rpps, status, version, created_at, updated_at)
                overriding system value values (?, ?, ?, ?, ?, ?, ?, ?)""", staffRows);
        jdbc.execute("select setval(pg_get_serial_sequence('staff', 'id'), (select coalesce(max(id), 1) from staff))");
        jdbc.batchUpdate("insert into staff_role (staff_id, role) values (?, ?)", roles);
        jdbc.batchUpdate("insert into staff_facility (staff_id, facility_id) values (?, ?)", memberships);
        jdbc.batchUpdate("insert into staff_unit (staff_id, unit_id) values (?, ?)", unitRows);
        jdbc.batchUpdate("""
                insert into staff_version (staff_id, version, recorded_at, author_id, reason, snapshot)
                values (?, ?, ?, null, ?, cast(? as json))""", versions);
    }

    /** Moves each facility's IPP counter past the identifiers handed out by a bulk load. */
    @Transactional
    public void advanceIppCounters(java.util.Map<Integer, Long> nextIppByFacility) {
        nextIppByFacility.forEach((facility, next) ->
                jdbc.update("update facility set next_ipp = greatest(next_ipp, ?) where id = ?", next, facility));
    }

}
