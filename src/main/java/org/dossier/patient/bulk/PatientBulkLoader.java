package org.dossier.patient.bulk;

import org.dossier.patient.PatientData;
import org.dossier.patient.PatientRows;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.dossier.platform.crypto.BlindIndex;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.PatientKeys;
import org.dossier.platform.crypto.Sealing;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Writes generated patients with PostgreSQL COPY: how the demo hospital reaches a million patients in
 * about a minute. Write-only, for an empty registry.
 */
@Component
public class PatientBulkLoader {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PatientBulkLoader.class);

    private final BulkLoad bulk;
    private final JsonMapper json;
    private final FieldCipher cipher;
    private final PatientKeys patientKeys;
    private final BlindIndex index;
    /**
     * Patients per chunk: each chunk's keys are made and its values sealed on every core while the chunk before it is
     * copied (COPY is one thread here and one in PostgreSQL): small enough to overlap, large enough to amortise a COPY.
     */
    private static final int CHUNK = 2_000;
    /** Chunks being sealed while one is copied: bounds what waits in memory. */
    private static final int AHEAD = 2;

    PatientBulkLoader(BulkLoad bulk, JsonMapper json, FieldCipher cipher, PatientKeys patientKeys, BlindIndex index) {
        this.patientKeys = patientKeys;
        this.index = index;
        this.bulk = bulk;
        this.json = json;
        this.cipher = cipher;
    }

    /** What sealing a patient makes: its row's sealed identity and details, and its first version. */
    private record Sealed(PatientRows.SealedIdentity identity, byte[] details, byte[] firstVersion) {
    }

    /** A chunk sealed: its patients, their sealed values in the same order, and what completes once their keys are on disk. */
    private record SealedChunk(List<BulkPatient> patients, List<Sealed> sealed, CompletableFuture<Void> keysDurable, long nanos) {
    }

    /** A patient to load, with the identifiers the generator chose. */
    public record BulkPatient(long id, int facilityId, String ipp, PatientData data, Instant createdAt) {
    }

    /**
     * Loads every patient of {@code patients} with its first version, and returns how many were written.
     * {@code visitor} sees each patient as it goes, so a caller can remember what it needs without a second pass.
     */
    public long load(Iterator<BulkPatient> patients, String reason, Consumer<BulkPatient> visitor) {
        long[] total = {0};
        long[] sealingNanos = {0};
        long[] waitedForSealing = {0};
        long[] rowsWritten = {0};
        long[] keysWait = {0};
        long start = System.nanoTime();
        ForkJoinPool sealing = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
        // The facilities' key makers are made on this thread, on the load's connection (they read the facility's data key).
        Map<Integer, PatientKeys.NewKeys> keyMakers = new HashMap<>();
        try {
            bulk.run(session -> session.withIndexesBuiltAfter(List.of("patient"), s -> {
                long maxId = 0;
                Deque<Future<SealedChunk>> ahead = new ArrayDeque<>();
                List<CompletableFuture<Void>> keysDurable = new ArrayList<>();
                while (patients.hasNext()) {
                    List<BulkPatient> chunk = new ArrayList<>(CHUNK);
                    while (patients.hasNext() && chunk.size() < CHUNK) {
                        BulkPatient p = patients.next();
                        visitor.accept(p);
                        chunk.add(p);
                        maxId = Math.max(maxId, p.id());
                        keyMakers.computeIfAbsent(p.facilityId(), patientKeys::newKeys);
                    }
                    // The ids are taken now, not at the end: a patient registered at the desk meanwhile would get one of
                    // them, and a key of its own for it in the key store.
                    s.advanceSequenceTo("patient_id_seq", maxId);
                    Map<Integer, PatientKeys.NewKeys> makers = Map.copyOf(keyMakers);
                    ahead.add(sealing.submit(() -> seal(chunk, makers)));
                    while (ahead.size() > AHEAD) {
                        copy(s, ahead.poll(), reason, keyMakers, keysDurable, sealingNanos, waitedForSealing);
                    }
                    total[0] += chunk.size();
                }
                while (!ahead.isEmpty()) {
                    copy(s, ahead.poll(), reason, keyMakers, keysDurable, sealingNanos, waitedForSealing);
                }
                s.advanceSequenceTo("patient_id_seq", maxId);
                rowsWritten[0] = System.nanoTime();
                // Nothing sealed with a patient's key is committed before the key is on disk.
                CompletableFuture.allOf(keysDurable.toArray(CompletableFuture[]::new)).join();
                keysWait[0] = System.nanoTime() - rowsWritten[0];
            }));
        } finally {
            sealing.shutdownNow();
            // a sealing task still running would make keys after they were forgotten
            awaitQuietly(sealing);
            keyMakers.values().forEach(PatientKeys.NewKeys::close);
        }
        long end = System.nanoTime();
        log.info("Patients loaded: {} in {} ms (their keys made and values sealed in {} ms of {} threads, beside the COPY;"
                        + " generating and copying the rows {} ms, of which waiting for the sealing {} ms; waiting for the key packs on disk {} ms;"
                        + " indexes and commit {} ms)", total[0], ms(end - start), ms(sealingNanos[0]), sealing.getParallelism(),
                ms(rowsWritten[0] - start), ms(waitedForSealing[0]), ms(keysWait[0]), ms(end - rowsWritten[0] - keysWait[0]));
        return total[0];
    }

    private static void awaitQuietly(ForkJoinPool pool) {
        try {
            if (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                log.warn("The registry load's sealing threads did not stop within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** Makes the chunk's keys and seals its values, on the sealing pool's threads. */
    private SealedChunk seal(List<BulkPatient> chunk, Map<Integer, PatientKeys.NewKeys> keyMakers) {
        long start = System.nanoTime();
        // Each patient's own key (ADR 0047) is made for the whole chunk at once, and written to disk while the chunk is
        // sealed and copied: the load waits for it before it commits.
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        chunk.stream().collect(Collectors.groupingBy(BulkPatient::facilityId, Collectors.mapping(BulkPatient::id, Collectors.toList())))
                .forEach((facility, ids) -> durable.add(keyMakers.get(facility).make(ids)));
        List<Sealed> sealed = chunk.parallelStream().map(p -> {
            Sealing hers = cipher.sealingFor(p.facilityId(), p.id());
            return new Sealed(PatientRows.sealIdentity(hers, index, p.id(), p.facilityId(), p.ipp(), p.data()),
                    PatientRows.sealedDetails(hers, json, p.id(), p.facilityId(), p.data()),
                    PatientRows.sealedFirstVersion(hers, json, p.id(), p.facilityId(), p.data()));
        }).toList();
        return new SealedChunk(chunk, sealed, CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)), System.nanoTime() - start);
    }

    /** Copies a sealed chunk's rows, then its first versions (two COPY streams cannot be open on one connection). */
    private void copy(BulkLoad.Session session, Future<SealedChunk> next, String reason, Map<Integer, PatientKeys.NewKeys> keyMakers,
                      List<CompletableFuture<Void>> keysDurable, long[] sealingNanos, long[] waited) throws SQLException {
        long start = System.nanoTime();
        SealedChunk chunk;
        try {
            chunk = next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sealing patients", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException("Cannot seal patients", e.getCause());
        }
        waited[0] += System.nanoTime() - start;
        sealingNanos[0] += chunk.nanos();
        keysDurable.add(chunk.keysDurable());
        List<BulkPatient> patients = chunk.patients();
        try (BulkCopy copy = session.copy("patient", "id", "facility_id", "sealed_ipp", "version", "status", "sealed_birth_family_name",
                "sealed_used_name", "sealed_given_names", "sealed_birth_date", "sex", "sealed_birthplace_code", "sealed_ins_matricule", "ins_oid",
                "identity_status", "sealed_coverage_nir", "sealed_details", "search_tokens", "created_at", "updated_at")) {
            for (int i = 0; i < patients.size(); i++) {
                BulkPatient p = patients.get(i);
                PatientData d = p.data();
                PatientRows.SealedIdentity id = chunk.sealed().get(i).identity();
                copy.row(p.id(), p.facilityId(), id.ipp(), 1, "ACTIVE", id.birthFamilyName(), id.usedName(), id.givenNames(),
                        id.birthDate(), d.sex(), id.birthplaceCode(), id.insMatricule(), d.insOid(), d.identityStatus(), id.coverageNir(),
                        chunk.sealed().get(i).details(), id.searchTokens(), p.createdAt(), p.createdAt());
            }
        }
        try (BulkCopy copy = session.copy("patient_version", "patient_id", "version", "facility_id", "recorded_at", "author_id",
                "reason", "sealed_snapshot")) {
            for (int i = 0; i < patients.size(); i++) {
                BulkPatient p = patients.get(i);
                copy.row(p.id(), 1, p.facilityId(), p.createdAt(), null, reason, chunk.sealed().get(i).firstVersion());
            }
        }
        patients.stream().collect(Collectors.groupingBy(BulkPatient::facilityId, Collectors.mapping(BulkPatient::id, Collectors.toList())))
                .forEach((facility, ids) -> keyMakers.get(facility).release(ids));
    }

}
