package org.dossier.platform.crypto;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Data keys of a facility that exists only inside a transaction rolled back at the end, so that tests may create, rotate
 * and lose keys with key-encryption keys of their own without touching the keys of the shared test server.
 */
final class KeyTestBed {

    static final int FACILITY = 9_901;

    private final DataSource owner;
    final JdbcClient jdbc;

    KeyTestBed(DataSource owner) {
        this.owner = owner;
        this.jdbc = JdbcClient.create(owner);
    }

    /** Runs the test in one transaction with a throwaway facility, then rolls everything back. */
    void inRolledBackTransaction(Consumer<JdbcClient> test) {
        new TransactionTemplate(new DataSourceTransactionManager(owner)).executeWithoutResult(status -> {
            jdbc.sql("insert into facility (id, finess, name, city) values (?, '990199019', 'Key test bed', 'Nowhere')")
                    .param(FACILITY).update();
            try {
                test.accept(jdbc);
            } finally {
                status.setRollbackOnly();
            }
        });
    }

    /** A key file of its own (created on first use), as a development server makes one. */
    static KeyEncryptionKey fileKek(Path dir, String name) {
        return FileKek.readOrCreate(dir.resolve(name + ".json"));
    }

    static DataKeys dataKeys(JdbcClient jdbc, KeyEncryptionKeys keks) {
        try {
            return new DataKeys(jdbc, keks, Clock.systemUTC());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
