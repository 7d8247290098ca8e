package org.dossier.portal;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Set;

/**
 * The front desk's queue of open correction requests in its facilities. It takes no proof: it answers the request's
 * number, the record's number, what it is about and when, not the patient's words nor any of the record (those are read
 * on the patient's portal page, under the gateway's decision); each record it names is written to the trail as OVERSEE
 * (PortalCorrections). GatewayArchitectureTest lists it by name for this.
 */
@Repository
class PortalCorrectionQueueRepository {

    private final JdbcClient jdbc;

    PortalCorrectionQueueRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<PortalCorrection.Waiting> open(Set<Integer> facilities) {
        return jdbc.sql("""
                        select id, patient_id, about, requested_at from portal_correction
                         where status = 'OPEN' and facility_id = any(:facilities) order by requested_at limit 200""")
                .param("facilities", facilities.toArray(Integer[]::new))
                .query((rs, n) -> new PortalCorrection.Waiting(rs.getLong("id"), rs.getLong("patient_id"), PortalCorrection.About.valueOf(rs.getString("about")),
                        rs.getTimestamp("requested_at").toInstant())).list();
    }
}
