package org.dossier.portal;

import org.dossier.platform.FacilityScope;
import org.dossier.platform.crypto.ErasedValueException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;

/**
 * Seals the usernames of the portal accounts written before V74 (ADR 0058), which still hold the name in clear and carry
 * no token: at the server's start, batch by batch, each name sealed with its patient's key, its token made, and the clear
 * column emptied in one conditional update. A row sealed by anything else without its token gets its token too. A
 * shredded patient's name cannot be sealed (no key): it is emptied, which is what shredding means, and nobody can sign in
 * with it any more. Resumable without a cursor: what is left is exactly the rows with a name and no token. Portal
 * accounts are few (one per enrolled patient); one node works at a time (advisory lock). Nothing it reads leaves the server.
 */
@Component
class PortalUsernameSealing {

    private static final Logger log = LoggerFactory.getLogger(PortalUsernameSealing.class);
    private static final String LEFT = "username_token is null and (username is not null or sealed_username is not null)";
    private static final int BATCH = 200;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final PortalUsernames usernames;

    PortalUsernameSealing(JdbcClient jdbc, TransactionTemplate transaction, PortalUsernames usernames) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.usernames = usernames;
    }

    private record Row(long id, long patientId, int facilityId, String clear, byte[] sealed) {
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStart() {
        int sealed = sealAll();
        if (sealed > 0) {
            // a count, never a name
            log.info("Sealed the usernames of {} portal accounts written before V74", sealed);
        }
    }

    /** Seals every row left; answers how many rows it changed. */
    int sealAll() {
        int total = 0;
        for (int done; (done = FacilityScope.asSystem(() -> transaction.execute(status -> batch()))) > 0; ) {
            total += done;
        }
        return total;
    }

    /** How many accounts still hold a username with no token (a clear one, or a sealed one not yet indexed). */
    long remaining() {
        return FacilityScope.asSystem(() -> jdbc.sql("select count(*) from portal_account where " + LEFT).query(Long.class).single());
    }

    private int batch() {
        if (!jdbc.sql("select pg_try_advisory_xact_lock(hashtext('dossier-portal-username-sealing'))").query(Boolean.class).single()) {
            return 0;
        }
        List<Row> rows = jdbc.sql("select id, patient_id, facility_id, username, sealed_username from portal_account where " + LEFT
                        + " order by id limit ? for update skip locked")
                .param(BATCH).query((rs, n) -> new Row(rs.getLong("id"), rs.getLong("patient_id"), rs.getInt("facility_id"),
                        rs.getString("username"), rs.getBytes("sealed_username"))).list();
        rows.forEach(this::seal);
        return rows.size();
    }

    private void seal(Row row) {
        String name = usernames.open(row.patientId(), row.facilityId(), row.id(), row.sealed(), row.clear());
        byte[] sealed;
        try {
            sealed = name == null ? null : row.sealed() != null ? row.sealed()
                    : usernames.seal(row.patientId(), row.facilityId(), row.id(), PortalUsernames.normalised(name));
        } catch (ErasedValueException shredded) {
            sealed = null;
        }
        if (sealed == null) {
            jdbc.sql("update portal_account set username = null, sealed_username = null where id = ?").param(row.id()).update();
            return;
        }
        jdbc.sql("update portal_account set sealed_username = ?, username = null, username_token = ? where id = ?")
                .param(sealed).param(usernames.token(row.facilityId(), PortalUsernames.normalised(name))).param(row.id()).update();
    }
}
