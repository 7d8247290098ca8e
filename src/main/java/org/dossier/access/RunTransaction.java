package org.dossier.access;

import org.dossier.audit.AuditRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What an import run holds within one database transaction (ADR 0060). Its audit entries are appended together, and
 * durable, before the transaction commits: nothing the run wrote is ever visible without its entries, and a bundle of
 * thousands of records waits for the audit trail's disk once instead of once per record. Entries of a transaction that
 * rolls back are appended all the same (they record what was decided). The facts of a patient the run registered are
 * read once and kept for the rest of the transaction: no one else sees that patient before the commit, so they cannot
 * change under the run.
 */
final class RunTransaction implements TransactionSynchronization {

    private static final Logger log = LoggerFactory.getLogger(RunTransaction.class);
    /** Bounds what a very long transaction holds in memory (and the size of one audit batch). */
    static final int MOST_HELD = 1_000;

    private final ImportRun run;
    private final Consumer<List<AuditRecord>> appender;
    private final List<AuditRecord> held = new ArrayList<>();
    private final Map<Long, PatientFacts> facts = new HashMap<>();

    private RunTransaction(ImportRun run, Consumer<List<AuditRecord>> appender) {
        this.run = run;
        this.appender = appender;
    }

    /** The run's state in the transaction under way, made on first use; none outside a transaction. */
    static Optional<RunTransaction> of(ImportRun run, Consumer<List<AuditRecord>> appender) {
        if (!TransactionSynchronizationManager.isSynchronizationActive() || !TransactionSynchronizationManager.isActualTransactionActive()) {
            return Optional.empty();
        }
        RunTransaction current = (RunTransaction) TransactionSynchronizationManager.getResource(run);
        if (current == null) {
            current = new RunTransaction(run, appender);
            TransactionSynchronizationManager.bindResource(run, current);
            TransactionSynchronizationManager.registerSynchronization(current);
        }
        return Optional.of(current);
    }

    /** The run's state in the transaction under way if it has one already (reading facts never starts one). */
    static Optional<RunTransaction> existing(ImportRun run) {
        return TransactionSynchronizationManager.isActualTransactionActive()
                ? Optional.ofNullable((RunTransaction) TransactionSynchronizationManager.getResource(run)) : Optional.empty();
    }

    void hold(AuditRecord entry) {
        held.add(entry);
        if (held.size() >= MOST_HELD) {
            appendHeld();
        }
    }

    Optional<PatientFacts> facts(long patientId) {
        return Optional.ofNullable(facts.get(patientId));
    }

    void remember(PatientFacts patient) {
        if (run.registered(patient.id())) {
            facts.put(patient.id(), patient);
        }
    }

    /** Appends what is held and waits until it is durable; held until then, so a failed append is tried again. */
    private void appendHeld() {
        if (held.isEmpty()) {
            return;
        }
        appender.accept(List.copyOf(held));
        held.clear();
    }

    @Override
    public void suspend() {
        TransactionSynchronizationManager.unbindResource(run);
    }

    @Override
    public void resume() {
        TransactionSynchronizationManager.bindResource(run, this);
    }

    /** An append that fails here rolls the transaction back: the records are not kept without their entries. */
    @Override
    public void beforeCommit(boolean readOnly) {
        appendHeld();
    }

    @Override
    public void afterCompletion(int status) {
        TransactionSynchronizationManager.unbindResourceIfPossible(run);
        try {
            appendHeld();
        } catch (RuntimeException e) {
            // Only after a rollback can entries still be held (a commit appended them first): nothing they describe was kept.
            log.error("The audit entries of an import rolled back could not be recorded ({} entries)", held.size(), e);
        }
    }
}
