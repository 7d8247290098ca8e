package org.dossier.organization;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Grant requests waiting for (or decided by) a second administrator: table staff_grant (V21). */
@Repository
class StaffGrantRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    StaffGrantRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    long insert(StaffGrant.Kind kind, Long staffId, String username, Integer baseVersion, StaffAccountRequest requested,
                Set<Role> addedRoles, Set<Integer> addedFacilities, Set<Integer> addedUnits, Set<Integer> facilityIds,
                String reason, long requestedBy, Instant now) {
        return jdbc.sql("""
                        insert into staff_grant (kind, staff_id, username, base_version, requested, added_roles, added_facilities,
                                                 added_units, facility_ids, reason, requested_by, requested_at, status, version)
                        values (?, ?, ?, ?, cast(? as json), ?, ?, ?, ?, ?, ?, ?, 'PENDING', 1) returning id""")
                .param(kind.name()).param(staffId).param(username).param(baseVersion).param(json.writeValueAsString(requested))
                .param(addedRoles.stream().map(Enum::name).sorted().toArray(String[]::new))
                .param(addedFacilities.stream().sorted().toArray(Integer[]::new))
                .param(addedUnits.stream().sorted().toArray(Integer[]::new))
                .param(facilityIds.stream().sorted().toArray(Integer[]::new))
                .param(reason).param(requestedBy).param(Timestamp.from(now))
                .query(Long.class).single();
    }

    Optional<StaffGrant> findById(long id) {
        return jdbc.sql("select * from staff_grant where id = ?").param(id).query(this::map).optional();
    }

    boolean pendingForAccount(long staffId) {
        return jdbc.sql("select exists(select 1 from staff_grant where staff_id = ? and status = 'PENDING')").param(staffId)
                .query(Boolean.class).single();
    }

    boolean pendingForUsername(String username) {
        return jdbc.sql("select exists(select 1 from staff_grant where username = ? and status = 'PENDING')").param(username)
                .query(Boolean.class).single();
    }

    boolean pendingRpps(String rpps) {
        return jdbc.sql("select exists(select 1 from staff_grant where status = 'PENDING' and requested->>'rpps' = ?)").param(rpps)
                .query(Boolean.class).single();
    }

    /** The grants of these facilities (any facility when {@code facilityIds} is null), newest first, at most {@code limit}. */
    List<StaffGrant> list(StaffGrant.Status status, Set<Integer> facilityIds, int limit) {
        StringBuilder sql = new StringBuilder("select * from staff_grant where true");
        java.util.Map<String, Object> params = new java.util.HashMap<>();
        if (status != null) {
            sql.append(" and status = :status");
            params.put("status", status.name());
        }
        if (facilityIds != null) {
            sql.append(" and facility_ids && :facilities");
            params.put("facilities", facilityIds.toArray(Integer[]::new));
        }
        sql.append(" order by requested_at desc, id desc limit :limit");
        params.put("limit", limit);
        return jdbc.sql(sql.toString()).params(params).query(this::map).list();
    }

    /** Returns false when the grant was decided meanwhile (or its version moved). */
    boolean decide(long id, int expectedVersion, StaffGrant.Status status, long decidedBy, String note, Instant now) {
        return jdbc.sql("""
                        update staff_grant set status = ?, decided_by = ?, decided_at = ?, decision_note = ?, version = version + 1
                         where id = ? and version = ? and status = 'PENDING'""")
                .param(status.name()).param(decidedBy).param(Timestamp.from(now)).param(note).param(id).param(expectedVersion)
                .update() == 1;
    }

    private StaffGrant map(ResultSet rs, int row) throws SQLException {
        Timestamp decided = rs.getTimestamp("decided_at");
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : (String[]) rs.getArray("added_roles").getArray()) {
            roles.add(Role.valueOf(r));
        }
        return new StaffGrant(rs.getLong("id"), StaffGrant.Kind.valueOf(rs.getString("kind")), (Long) rs.getObject("staff_id"),
                rs.getString("username"), (Integer) rs.getObject("base_version"),
                json.readValue(rs.getString("requested"), StaffAccountRequest.class), Set.copyOf(roles),
                ints(rs.getArray("added_facilities")), ints(rs.getArray("added_units")), rs.getString("reason"),
                rs.getLong("requested_by"), rs.getTimestamp("requested_at").toInstant(),
                StaffGrant.Status.valueOf(rs.getString("status")), (Long) rs.getObject("decided_by"),
                decided == null ? null : decided.toInstant(), rs.getString("decision_note"), rs.getInt("version"));
    }

    private static Set<Integer> ints(Array array) throws SQLException {
        return Arrays.stream((Integer[]) array.getArray()).collect(Collectors.toUnmodifiableSet());
    }
}
