package org.dossier.portal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The hospital's policy for its portal, one row per facility (ADR 0044). It names no patient: a facility's switches
 * and who last set them, so its methods take no proof (listed in GatewayArchitectureTest as patient-free).
 */
@Repository
class PortalSettingRepository {

    private final JdbcClient jdbc;

    PortalSettingRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<PortalSettings.Setting> find(int facilityId) {
        return jdbc.sql("select facility_id, break_glass_notice, staff_names, desk_codes, updated_by, updated_at from portal_setting where facility_id = ?")
                .param(facilityId).query((rs, n) -> new PortalSettings.Setting(rs.getInt("facility_id"), rs.getBoolean("break_glass_notice"),
                        rs.getBoolean("staff_names"), rs.getBoolean("desk_codes"), rs.getLong("updated_by"), rs.getTimestamp("updated_at").toInstant())).optional();
    }

    void save(int facilityId, boolean breakGlassNotice, boolean staffNames, boolean deskCodes, long by, Instant at) {
        jdbc.sql("""
                        insert into portal_setting (facility_id, break_glass_notice, staff_names, desk_codes, updated_by, updated_at) values (?, ?, ?, ?, ?, ?)
                        on conflict (facility_id) do update set break_glass_notice = excluded.break_glass_notice,
                            staff_names = excluded.staff_names, desk_codes = excluded.desk_codes, updated_by = excluded.updated_by, updated_at = excluded.updated_at""")
                .param(facilityId).param(breakGlassNotice).param(staffNames).param(deskCodes).param(by).param(Timestamp.from(at)).update();
    }
}
