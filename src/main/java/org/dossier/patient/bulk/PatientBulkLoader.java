package org.dossier.patient.bulk;

import org.dossier.patient.PatientData;
import org.dossier.patient.PatientRows;
import org.dossier.platform.bulk.BulkCopy;
import org.dossier.platform.bulk.BulkLoad;
import org.dossier.platform.crypto.BlindIndex;
import org.dossier.platform.crypto.FieldCipher;
import org.dossier.platform.crypto.PatientKeys;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

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
    /** Where a load's time went, for its log line (one load at a time: the demo's, at startup). */
    private long keysNanos;
    private long sealingNanos;
    private long rowsWritten;
    private long keysDurableWait;
    private final List<java.util.concurrent.CompletableFuture<Void>> keysDurable = new java.util.ArrayList<>();

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

    /** A patient to load, with the identifiers the generator chose. */
    public record BulkPatient(long id, int facilityId, String ipp, PatientData data, Instant createdAt) {
    }

    /**
     * Loads every patient of {@code patients} with its first version, and returns how many were written.
     * {@code visitor} sees each patient as it goes, so a caller can remember what it needs without a second pass.
     */
    public long load(Iterator<BulkPatient> patients, String reason, java.util.function.Consumer<BulkPatient> visitor) {
        long[] total = {0};
        long start = System.nanoTime();
        keysDurable.clear();
        keysNanos = 0;
        sealingNanos = 0;
        bulk.run(session -> session.withIndexesBuiltAfter(List.of("patient"), s -> {
            long maxId = 0;
            // Two COPY streams cannot be open on one connection: versions are buffered per chunk and written after.
            java.util.List<BulkPatient> chunk = new java.util.ArrayList<>(20_000);
            while (patients.hasNext()) {
                BulkPatient p = patients.next();
                visitor.accept(p);
                chunk.add(p);
                maxId = Math.max(maxId, p.id());
                if (chunk.size() == 20_000) {
                    write(s, chunk, reason);
                    total[0] += chunk.size();
                    chunk.clear();
                }
            }
            write(s, chunk, reason);
            total[0] += chunk.size();
            s.advanceSequenceTo("patient_id_seq", maxId);
            rowsWritten = System.nanoTime();
            // Nothing sealed with a patient's key is committed before the key is on disk.
            java.util.concurrent.CompletableFuture.allOf(keysDurable.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
            keysDurableWait = System.nanoTime() - rowsWritten;
        }));
        long end = System.nanoTime();
        log.info("Patients loaded: {} in {} ms (their keys made {} ms, sealing {} ms, rows {} ms, waiting for the key files on disk {} ms,"
                        + " indexes and commit {} ms)", total[0], (end - start) / 1_000_000, keysNanos / 1_000_000, sealingNanos / 1_000_000,
                (rowsWritten - start - keysNanos - sealingNanos) / 1_000_000, keysDurableWait / 1_000_000,
                (end - rowsWritten - keysDurableWait) / 1_000_000);
        return total[0];
    }

    private void write(BulkLoad.Session session, java.util.List<BulkPatient> chunk, String reason) throws SQLException {
        if (chunk.isEmpty()) {
            return;
        }
        // Each patient's own key (ADR 0047) is made and stored durably for the whole chunk at once, before anything sealed
        // with it reaches the database. Sealing is the costly part of a row now: done for the whole chunk on every core,
        // then copied in order.
        long start = System.nanoTime();
        chunk.stream().collect(java.util.stream.Collectors.groupingBy(BulkPatient::facilityId,
                        java.util.stream.Collectors.mapping(BulkPatient::id, java.util.stream.Collectors.toList())))
                .forEach((facility, ids) -> keysDurable.add(patientKeys.prepareDurableLater(facility, ids)));
        long keysMade = System.nanoTime();
        List<Sealed> sealed = chunk.parallelStream().map(p -> new Sealed(
                PatientRows.sealIdentity(cipher, index, p.id(), p.facilityId(), p.ipp(), p.data()),
                PatientRows.sealedDetails(cipher, json, p.id(), p.facilityId(), p.data()),
                PatientRows.sealedFirstVersion(cipher, json, p.id(), p.facilityId(), p.data()))).toList();
        keysNanos += keysMade - start;
        sealingNanos += System.nanoTime() - keysMade;
        try (BulkCopy copy = session.copy("patient", "id", "facility_id", "sealed_ipp", "version", "status", "sealed_birth_family_name",
                "sealed_used_name", "sealed_given_names", "sealed_birth_date", "sex", "sealed_birthplace_code", "sealed_ins_matricule", "ins_oid",
                "identity_status", "sealed_coverage_nir", "sealed_details", "search_tokens", "created_at", "updated_at")) {
            for (int i = 0; i < chunk.size(); i++) {
                BulkPatient p = chunk.get(i);
                PatientData d = p.data();
                PatientRows.SealedIdentity id = sealed.get(i).identity();
                copy.row(p.id(), p.facilityId(), id.ipp(), 1, "ACTIVE", id.birthFamilyName(), id.usedName(), id.givenNames(),
                        id.birthDate(), d.sex(), id.birthplaceCode(), id.insMatricule(), d.insOid(), d.identityStatus(), id.coverageNir(),
                        sealed.get(i).details(), id.searchTokens(), p.createdAt(), p.createdAt());
            }
        }
        try (BulkCopy copy = session.copy("patient_version", "patient_id", "version", "facility_id", "recorded_at", "author_id",
                "reason", "sealed_snapshot")) {
            for (int i = 0; i < chunk.size(); i++) {
                BulkPatient p = chunk.get(i);
                copy.row(p.id(), 1, p.facilityId(), p.createdAt(), null, reason, sealed.get(i).firstVersion());
            }
        }
    }

}
