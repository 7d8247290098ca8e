package org.dossier.portal;

import org.dossier.platform.crypto.SealedColumns;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The security officer's side of the cases: the queue of the officer's facilities, and the outcome. It takes no proof: the
 * officer's role sees no section of any record, and what this answers is the trail's own fields (seq, time, account, reason
 * code) and the patient's note about an access, as the officer's oversight views of the trail do; each patient it names is
 * written to the trail as OVERSEE before the page leaves (PortalCases). GatewayArchitectureTest lists it by name for this.
 */
@Repository
class PortalOversightRepository {

    private final JdbcClient jdbc;
    /** The case's notes, sealed with the patient's key (V68, ADR 0053). */
    private final SealedColumns text;

    PortalOversightRepository(JdbcClient jdbc, @Qualifier("portalCaseText") SealedColumns text) {
        this.jdbc = jdbc;
        this.text = text;
    }

    /** A page of the queue: the cases are paged first, then read with their evidence. */
    List<PortalCase> cases(Set<Integer> facilities, boolean openOnly, int offset, int limit) {
        return read("""
                        where c.id in (select id from portal_case where facility_id = any(:facilities)""" + (openOnly ? " and status = 'OPEN'" : "")
                        + " order by opened_at desc, id desc offset :offset limit :limit)",
                Map.of("facilities", facilities.toArray(Integer[]::new), "offset", offset, "limit", limit));
    }

    Optional<PortalCase> find(long caseId, Set<Integer> facilities) {
        return read("where c.id = :id and c.facility_id = any(:facilities)",
                Map.of("id", caseId, "facilities", facilities.toArray(Integer[]::new))).stream().findFirst();
    }

    private List<PortalCase> read(String where, Map<String, Object> params) {
        PortalCaseRows rows = new PortalCaseRows(text);
        jdbc.sql(PortalCaseRows.SELECT + where + PortalCaseRows.ORDER).params(params).query(rows::add);
        return rows.cases();
    }

    /** Closes a case of this patient; the officer's note is sealed with the patient's key (a shredded patient's: 409). */
    boolean close(PortalCase open, PortalCase.Outcome outcome, String note, long staffId, Instant now) {
        long caseId = open.id();
        byte[] sealed = text.seal(open.patientId(), open.facilityId(), "outcome_note", caseId, note);
        return jdbc.sql("""
                        update portal_case set status = 'CLOSED', outcome = ?, outcome_note = null, sealed_outcome_note = ?, closed_by = ?,
                            closed_at = ? where id = ? and status = 'OPEN'""")
                .param(outcome.name()).param(sealed).param(staffId).param(Timestamp.from(now)).param(caseId).update() == 1;
    }
}
