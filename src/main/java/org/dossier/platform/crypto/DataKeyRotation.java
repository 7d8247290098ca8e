package org.dossier.platform.crypto;

import org.dossier.platform.ConflictException;
import org.dossier.platform.FacilityScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Data-key rotation without downtime (ADR 0047). {@link #start} gives a facility's FIELD keyset a new primary key: from
 * then on every new value is sealed with it, and the old keys stay in the keyset, so every value keeps opening. A
 * background job then reads every sealed value of the facility ({@link SealedValues}, one per sealed table), batch by
 * batch, and seals again each one not yet under its current key — a patient's value with the patient's own key, making
 * values sealed before patients had keys shreddable; a value still in clear (written before V50) is sealed; a patient's
 * key file is re-wrapped with the new facility key. Each batch is one transaction that also stores the job's cursor, so
 * a restart resumes where it stopped; an advisory lock lets one node work at a time. Each replacement is conditional on
 * the row still holding what was read, so a concurrent write is never overwritten.
 */
@Component
public class DataKeyRotation {

    private static final Logger log = LoggerFactory.getLogger(DataKeyRotation.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final DataKeys keys;
    private final PatientKeys patientKeys;
    private final FieldCipher cipher;
    private final List<SealedValues> tables;
    private final Clock clock;
    private final int batchSize;
    private final boolean background;
    private final Duration slice;

    DataKeyRotation(JdbcClient jdbc, PlatformTransactionManager transactions, DataKeys keys, PatientKeys patientKeys,
                    FieldCipher cipher, List<SealedValues> tables, Clock clock,
                    @Value("${dossier.keys.rotation.batch-size:200}") int batchSize,
                    @Value("${dossier.keys.rotation.background:true}") boolean background,
                    @Value("${dossier.keys.rotation.slice:PT5S}") Duration slice) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
        this.keys = keys;
        this.patientKeys = patientKeys;
        this.cipher = cipher;
        this.tables = tables;
        this.clock = clock;
        this.batchSize = batchSize;
        this.background = background;
        this.slice = slice;
    }

    /** What a rotation has done so far. */
    public record Progress(long id, int facilityId, long keyId, Instant startedAt, Instant finishedAt, long resealed,
                           long sealedClear, long patientKeys, long erasedSkipped) {
    }

    /** Rotates the facility's sealing key and queues the re-encryption of its values; one rotation at a time per facility. */
    public Progress start(int facilityId) {
        return FacilityScope.asSystem(() -> transaction.execute(status -> {
            if (jdbc.sql("select exists (select 1 from data_key_rotation where facility_id = ? and finished_at is null)")
                    .param(facilityId).query(Boolean.class).single()) {
                throw new ConflictException("rotation-running", "The data key of facility " + facilityId
                        + " is being rotated already: let its re-encryption finish first");
            }
            long keyId = Integer.toUnsignedLong(keys.rotateFieldKey(facilityId));
            long id = jdbc.sql("insert into data_key_rotation (facility_id, key_id, started_at) values (?, ?, ?) returning id")
                    .param(facilityId).param(keyId).param(Timestamp.from(clock.instant())).query(Long.class).single();
            for (SealedValues table : tables) {
                jdbc.sql("insert into data_key_rotation_progress (rotation_id, sealed_values) values (?, ?)").param(id).param(table.name()).update();
            }
            return progress(id).orElseThrow();
        }));
    }

    public Optional<Progress> progress(long rotationId) {
        return jdbc.sql("""
                        select id, facility_id, key_id, started_at, finished_at, resealed, sealed_clear, patient_keys, erased_skipped
                          from data_key_rotation where id = ?""").param(rotationId)
                .query((rs, n) -> new Progress(rs.getLong(1), rs.getInt(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
                        rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant(), rs.getLong(6), rs.getLong(7),
                        rs.getLong(8), rs.getLong(9))).optional();
    }

    /** The job's tick: batches until the work is done or the slice of time is used, so the scheduler's thread is shared. */
    @Scheduled(fixedDelayString = "${dossier.keys.rotation.interval:PT2S}", initialDelayString = "${dossier.keys.rotation.interval:PT2S}")
    void inBackground() {
        if (!background) {
            return;
        }
        Instant until = clock.instant().plus(slice);
        while (clock.instant().isBefore(until) && work(1) == 1) {
            // one batch at a time; a failure is logged by the scheduler and retried at the next tick
        }
    }

    /** Runs at most {@code batches} batches of unfinished rotations; answers how many ran (0: nothing to do, or another node works). */
    public int work(int batches) {
        int ran = 0;
        while (ran < batches && Boolean.TRUE.equals(FacilityScope.asSystem(() -> transaction.execute(status -> batch())))) {
            ran++;
        }
        return ran;
    }

    private record Step(long rotationId, int facilityId, String table, long after) {
    }

    /** One batch in the caller's transaction: false if there was nothing to do or another node holds the lock. */
    private boolean batch() {
        if (!jdbc.sql("select pg_try_advisory_xact_lock(hashtext('dossier-data-key-rotation'))").query(Boolean.class).single()) {
            return false;
        }
        Optional<Step> next = jdbc.sql("""
                        select r.id, r.facility_id, p.sealed_values, p.after_cursor
                          from data_key_rotation r join data_key_rotation_progress p on p.rotation_id = r.id
                         where r.finished_at is null and not p.done order by r.id, p.sealed_values limit 1""")
                .query((rs, n) -> new Step(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getLong(4))).optional();
        if (next.isEmpty()) {
            return finishAll();
        }
        Step step = next.get();
        // the rotation may have been started on another node: this one seals with the new key from its first batch on
        keys.reloadedFieldKey(step.facilityId());
        SealedValues table = tables.stream().filter(t -> t.name().equals(step.table())).findFirst().orElse(null);
        List<SealedValues.Value> values = table == null ? List.of() : table.after(step.facilityId(), step.after(), batchSize);
        if (values.isEmpty()) {
            jdbc.sql("update data_key_rotation_progress set done = true where rotation_id = ? and sealed_values = ?")
                    .param(step.rotationId()).param(step.table()).update();
            return true;
        }
        Counts counts = reseal(table, values);
        jdbc.sql("update data_key_rotation_progress set after_cursor = ? where rotation_id = ? and sealed_values = ?")
                .param(values.get(values.size() - 1).cursor()).param(step.rotationId()).param(step.table()).update();
        jdbc.sql("""
                        update data_key_rotation set resealed = resealed + ?, sealed_clear = sealed_clear + ?,
                               patient_keys = patient_keys + ?, erased_skipped = erased_skipped + ? where id = ?""")
                .param(counts.resealed).param(counts.clear).param(counts.patientKeys).param(counts.erased).param(step.rotationId()).update();
        return true;
    }

    private boolean finishAll() {
        List<Long> finished = jdbc.sql("""
                        update data_key_rotation r set finished_at = ? where finished_at is null
                           and not exists (select 1 from data_key_rotation_progress p where p.rotation_id = r.id and not p.done)
                        returning id""").param(Timestamp.from(clock.instant())).query(Long.class).list();
        finished.forEach(id -> log.info("Data-key rotation {} finished: {}", id, progress(id).orElseThrow()));
        return false;
    }

    private static final class Counts {
        long resealed;
        long clear;
        long patientKeys;
        long erased;
    }

    private Counts reseal(SealedValues table, List<SealedValues.Value> values) {
        Counts counts = new Counts();
        int facilityId = values.get(0).cell().facilityId();
        Set<Long> shredded = new java.util.HashSet<>();
        Set<Long> patients = new LinkedHashSet<>();
        for (SealedValues.Value v : values) {
            Long patientId = v.cell().patientId();
            if (patientId != null && !shredded.contains(patientId) && !patients.contains(patientId)) {
                (patientKeys.isShredded(facilityId, patientId) ? shredded : patients).add(patientId);
            }
        }
        // patients without a key yet (their values sealed before ADR 0047) get one, made durable together
        patientKeys.prepare(facilityId, patients);
        for (SealedValues.Value v : values) {
            FieldCipher.Cell cell = v.cell();
            if (cell.patientId() != null && shredded.contains(cell.patientId())) {
                counts.erased++;
                continue;
            }
            if (v.sealed() == null) {
                counts.clear += table.replace(v, cipher.seal(cell, v.clear())) ? 1 : 0;
            } else if (!underCurrentKey(cell, v.sealed())) {
                // as bytes: the same for text, and a sealed document's file is not text
                counts.resealed += table.replace(v, cipher.sealBytes(cell, cipher.openBytes(cell, v.sealed()))) ? 1 : 0;
            }
        }
        counts.patientKeys += patientKeys.rewrap(facilityId, patients);
        return counts;
    }

    /** Whether the value starts with the Tink prefix of the key it should be under now: the patient's, or the facility's primary. */
    private boolean underCurrentKey(FieldCipher.Cell cell, byte[] sealed) {
        byte[] prefix = cell.patientId() == null ? keys.primaryPrefix(cell.facilityId())
                : patientKeys.prefix(cell.facilityId(), cell.patientId());
        return prefix != null && sealed.length >= prefix.length && Arrays.equals(sealed, 0, prefix.length, prefix, 0, prefix.length);
    }
}
