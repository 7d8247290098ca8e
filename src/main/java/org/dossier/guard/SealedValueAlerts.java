package org.dossier.guard;

import org.dossier.platform.crypto.SealedValueAltered;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Alerts the security officer (CRITICAL) when a sealed value of the record does not open where it was found: someone
 * who can write the database altered it, copied it from another row or restored it under another key. The alert names
 * the cell (table, column, row, facility), never a value, and is written in its own transaction, since the request that
 * met the value is refused and rolled back. One alert per cell while the server runs: a chart read again and again must
 * not bury the officer's queue. No account is frozen: the reader did nothing wrong.
 */
@Component
class SealedValueAlerts {

    private static final Logger log = LoggerFactory.getLogger(SealedValueAlerts.class);
    private static final int REMEMBERED_CELLS = 10_000;

    private final AlertLog alerts;
    private final TransactionTemplate ownTransaction;
    private final Set<String> alerted = ConcurrentHashMap.newKeySet();

    SealedValueAlerts(AlertLog alerts, PlatformTransactionManager transactions) {
        this.alerts = alerts;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @EventListener
    void on(SealedValueAltered altered) {
        String cell = altered.table() + "." + altered.column() + "#" + altered.rowId() + "@" + altered.facilityId();
        if (alerted.size() >= REMEMBERED_CELLS) {
            alerted.clear();
        }
        if (!alerted.add(cell)) {
            return;
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("table", altered.table());
        evidence.put("column", altered.column());
        evidence.put("row", altered.rowId());
        evidence.put("facility", altered.facilityId());
        evidence.put("problem", "a sealed value does not open where it was found: altered, moved from another row, or another key");
        Long id = ownTransaction.execute(status -> alerts.raise(null, "system", altered.at(), GuardSignal.SEALED_VALUE_ALTERED,
                "NOTIFY", null, evidence, "CRITICAL"));
        log.error("GUARD: sealed value of {} does not open — alert {}", cell, id);
    }
}
