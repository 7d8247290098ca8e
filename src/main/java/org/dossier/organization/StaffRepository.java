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

@Repository
class StaffRepository {

    private static final String SELECT = """
            select s.id, s.username, s.display_name, s.rpps, s.status, s.version, s.created_at, s.updated_at,
                   array(select role from staff_role r where r.staff_id = s.id) as roles,
                   array(select facility_id from staff_facility f where f.staff_id = s.id) as facilities,
                   array(select unit_id from staff_unit u where u.staff_id = s.id) as units
              from staff s
            """;

    private final JdbcClient jdbc;
    private final JsonMapper json;

    StaffRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    Optional<StaffMember> findById(long id) {
        return jdbc.sql(SELECT + " where s.id = ?").param(id).query(StaffRepository::map).optional();
    }

    Optional<StaffMember> findByUsername(String username) {
        return jdbc.sql(SELECT + " where s.username = ?").param(username).query(StaffRepository::map).optional();
    }

    boolean usernameTaken(String username) {
        return jdbc.sql("select exists(select 1 from staff where username = ?)").param(username).query(Boolean.class).single();
    }

    boolean rppsTaken(String rpps, long exceptId) {
        return jdbc.sql("select exists(select 1 from staff where rpps = ? and id <> ?)").param(rpps).param(exceptId)
                .query(Boolean.class).single();
    }

    List<StaffMember> search(String prefix, Integer facilityId, Role role, int limit) {
        StringBuilder sql = new StringBuilder(SELECT).append(" where true");
        JdbcClient.StatementSpec spec;
        java.util.Map<String, Object> params = new java.util.HashMap<>();
        if (prefix != null && !prefix.isBlank()) {
            sql.append(" and (lower(s.username) like :p or lower(s.display_name) like :p or lower(s.display_name) like :w)");
            String p = prefix.toLowerCase().replace("%", "").replace("_", "");
            params.put("p", p + "%");
            params.put("w", "% " + p + "%");
        }
        if (facilityId != null) {
            sql.append(" and exists (select 1 from staff_facility f where f.staff_id = s.id and f.facility_id = :facility)");
            params.put("facility", facilityId);
        }
        if (role != null) {
            sql.append(" and exists (select 1 from staff_role r where r.staff_id = s.id and r.role = :role)");
            params.put("role", role.name());
        }
        sql.append(" order by s.display_name, s.id limit :limit");
        params.put("limit", limit);
        spec = jdbc.sql(sql.toString()).params(params);
        return spec.query(StaffRepository::map).list();
    }

    long insert(StaffAccountRequest request, Instant now) {
        long id = jdbc.sql("""
                        insert into staff (username, display_name, rpps, status, version, created_at, updated_at)
                        values (?, ?, ?, 'ACTIVE', 1, ?, ?) returning id""")
                .param(request.username()).param(request.displayName()).param(emptyToNull(request.rpps()))
                .param(Timestamp.from(now)).param(Timestamp.from(now))
                .query(Long.class).single();
        writeMemberships(id, request);
        return id;
    }

    /** Returns false when the account changed since {@code expectedVersion}. */
    boolean update(long id, int expectedVersion, StaffAccountRequest request, Instant now) {
        int rows = jdbc.sql("""
                        update staff set display_name = ?, rpps = ?, version = version + 1, updated_at = ?
                         where id = ? and version = ?""")
                .param(request.displayName()).param(emptyToNull(request.rpps())).param(Timestamp.from(now))
                .param(id).param(expectedVersion).update();
        if (rows == 0) {
            return false;
        }
        jdbc.sql("delete from staff_role where staff_id = ?").param(id).update();
        jdbc.sql("delete from staff_facility where staff_id = ?").param(id).update();
        jdbc.sql("delete from staff_unit where staff_id = ?").param(id).update();
        writeMemberships(id, request);
        return true;
    }

    boolean updateStatus(long id, int expectedVersion, StaffStatus status, Instant now) {
        return jdbc.sql("update staff set status = ?, version = version + 1, updated_at = ? where id = ? and version = ?")
                .param(status.name()).param(Timestamp.from(now)).param(id).param(expectedVersion).update() == 1;
    }

    void recordVersion(StaffMember member, Long authorId, String reason, Instant now) {
        jdbc.sql("""
                        insert into staff_version (staff_id, version, recorded_at, author_id, reason, snapshot)
                        values (?, ?, ?, ?, ?, cast(? as json))""")
                .param(member.id()).param(member.version()).param(Timestamp.from(now)).param(authorId)
                .param(reason).param(json.writeValueAsString(member)).update();
    }

    List<StaffVersion> history(long staffId) {
        return jdbc.sql("""
                        select version, recorded_at, author_id, reason, snapshot::text as snapshot
                          from staff_version where staff_id = ? order by version desc limit 200""")
                .param(staffId)
                .query((rs, n) -> new StaffVersion(rs.getInt("version"), rs.getTimestamp("recorded_at").toInstant(),
                        (Long) rs.getObject("author_id"), rs.getString("reason"),
                        json.readValue(rs.getString("snapshot"), StaffMember.class)))
                .list();
    }

    private void writeMemberships(long id, StaffAccountRequest request) {
        for (Role role : request.roles()) {
            jdbc.sql("insert into staff_role (staff_id, role) values (?, ?)").param(id).param(role.name()).update();
        }
        for (Integer facility : request.facilityIds()) {
            jdbc.sql("insert into staff_facility (staff_id, facility_id) values (?, ?)").param(id).param(facility).update();
        }
        for (Integer unit : request.unitIds()) {
            jdbc.sql("insert into staff_unit (staff_id, unit_id) values (?, ?)").param(id).param(unit).update();
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static StaffMember map(ResultSet rs, int row) throws SQLException {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : (String[]) rs.getArray("roles").getArray()) {
            roles.add(Role.valueOf(r));
        }
        return new StaffMember(rs.getLong("id"), rs.getString("username"), rs.getString("display_name"),
                rs.getString("rpps"), StaffStatus.valueOf(rs.getString("status")), java.util.Collections.unmodifiableSet(roles),
                ints(rs.getArray("facilities")), ints(rs.getArray("units")), rs.getInt("version"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static Set<Integer> ints(Array array) throws SQLException {
        return Arrays.stream((Integer[]) array.getArray()).collect(Collectors.toUnmodifiableSet());
    }

    java.util.Map<Long, String> displayNames(java.util.Collection<Long> ids) {
        java.util.Map<Long, String> names = new java.util.HashMap<>();
        jdbc.sql("select id, display_name from staff where id = any(?)").param(ids.toArray(Long[]::new))
                .query((ResultSet rs) -> {
                    names.put(rs.getLong(1), rs.getString(2));
                });
        return names;
    }

    Optional<String> language(long staffId) {
        return jdbc.sql("select language from staff_preference where staff_id = ?").param(staffId).query(String.class).optional();
    }

    void setLanguage(long staffId, String language, Instant now) {
        jdbc.sql("insert into staff_preference (staff_id, language, updated_at) values (?, ?, ?)"
                        + " on conflict (staff_id) do update set language = excluded.language, updated_at = excluded.updated_at")
                .param(staffId).param(language).param(java.sql.Timestamp.from(now)).update();
    }
}
