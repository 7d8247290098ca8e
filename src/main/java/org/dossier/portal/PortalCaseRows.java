package org.dossier.portal;

import org.dossier.platform.crypto.SealedColumns;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cases with their evidence as both repositories read them: a case and its entries in one statement, gathered here. The
 * notes are sealed with the patient's key (V68): a shredded patient's read as erased.
 */
final class PortalCaseRows {

    static final String SELECT = """
            select c.*, e.audit_seq, e.recorded_at, e.actor_id, e.actor_roles, e.reason_code, e.channel
              from portal_case c left join portal_case_entry e on e.case_id = c.id
            """;
    static final String ORDER = " order by c.opened_at desc, c.id desc, e.audit_seq limit 2000";

    private final Map<Long, PortalCase> byId = new LinkedHashMap<>();
    private final Map<Long, List<PortalCase.Evidence>> evidence = new LinkedHashMap<>();
    private final SealedColumns text;

    PortalCaseRows(SealedColumns text) {
        this.text = text;
    }

    void add(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        if (!byId.containsKey(id)) {
            byId.put(id, row(rs));
        }
        List<PortalCase.Evidence> list = evidence.computeIfAbsent(id, k -> new ArrayList<>());
        if (rs.getObject("audit_seq") != null) {
            list.add(new PortalCase.Evidence(rs.getLong("audit_seq"), rs.getTimestamp("recorded_at").toInstant(),
                    (Long) rs.getObject("actor_id"), rs.getString("actor_roles"), rs.getString("reason_code"), rs.getString("channel")));
        }
    }

    List<PortalCase> cases() {
        return byId.values().stream().map(c -> new PortalCase(c.id(), c.patientId(), c.facilityId(), c.patientNote(), c.openedAt(),
                c.status(), c.outcome(), c.outcomeNote(), c.closedBy(), c.closedAt(), List.copyOf(evidence.get(c.id())), c.systemReason(),
                c.issuedBy())).toList();
    }

    private PortalCase row(ResultSet rs) throws SQLException {
        String outcome = rs.getString("outcome");
        java.sql.Timestamp closed = rs.getTimestamp("closed_at");
        return new PortalCase(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"), text.open(rs, "patient_note"),
                rs.getTimestamp("opened_at").toInstant(), PortalCase.Status.valueOf(rs.getString("status")),
                outcome == null ? null : PortalCase.Outcome.valueOf(outcome), text.open(rs, "outcome_note"),
                (Long) rs.getObject("closed_by"), closed == null ? null : closed.toInstant(), List.of(), rs.getString("system_reason"),
                (Long) rs.getObject("issued_by"));
    }
}
