package org.dossier.platform.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static org.dossier.platform.crypto.KeyFiles.fsync;

/**
 * The patients' own keys, for crypto-shredding (ADR 0047): one Tink AES-256-GCM keyset per patient, created when the
 * patient's first value is sealed, wrapped by the facility's FIELD data key (the patient id as associated data) and kept
 * in a <em>key store outside the database</em>: a directory, one file per patient ({@code <store>/<facility>/<id % 1000>/<id>.key})
 * for a patient registered one at a time, one pack per 4,096 patient ids for a bulk load's ({@link KeyPacks}, ADR 0057).
 * The database and its backups never hold one, so deleting the key (shredding) leaves every copy of the database —
 * backups, replicas, dumps — with ciphertexts nothing opens. A shredded patient gets a tombstone
 * ({@code <id>.shredded}, no key in it) before their key is deleted, so that a database restored from before the
 * shredding still reads "erased". Unwrapped keys are cached in memory only; every use checks the store (a stat: the key
 * file still there, or, for a packed key, no tombstone), so a shred on another node of the same store is seen at once.
 */
@Component
public class PatientKeys {

    private static final Logger log = LoggerFactory.getLogger(PatientKeys.class);
    /** Past this many cached keys the cache starts again: memory stays bounded for a 20,000-patient hospital and beyond. */
    private static final int CACHE_LIMIT = 100_000;
    /** Threads that fsync a bulk load's new keys together (I/O waits, not CPU). */
    private static final int PARALLEL_SYNCS = 64;
    private static final Path SYNC = Path.of("/bin/sync");

    /** What the key store holds for a patient. */
    enum State { NONE, KEY, SHREDDED }

    private final Path store;
    private final KeyPacks packs;
    private final DataKeys dataKeys;
    private final Map<Long, Loaded> cache = new ConcurrentHashMap<>();
    /**
     * Keys a bulk load made and seals with while their packs are being written ({@link NewKeys}): no one else can see those
     * patients before the load commits, which waits for the packs; once sealed with, the keys move to the cache.
     */
    private final Map<Long, Loaded> pending = new ConcurrentHashMap<>();

    /** An unwrapped key, the Tink prefix its values start with, and whether a pack holds it (else its own file). */
    private record Loaded(Aead aead, byte[] prefix, boolean packed) {
    }

    @org.springframework.beans.factory.annotation.Autowired
    PatientKeys(@Value("${dossier.keys.patient-store:}") String patientStore, @Value("${dossier.keys.dir:}") String keysDir,
                @Value("${dossier.data-dir}") String dataDir, @Value("${dossier.profile:development}") String profile,
                DataKeys dataKeys) {
        this(storeDir(patientStore, keysDir, dataDir), dataKeys);
        log.info("Patients' keys (crypto-shredding) are kept in {}", store);
        if ("production".equals(profile) && patientStore.isBlank()) {
            log.warn("DOSSIER_KEYS_PATIENT_STORE is not set: patients' keys are kept in {}; in production give a directory on storage"
                    + " of its own that every node mounts, backed up apart from the database (docs/operations.md)", store);
        }
    }

    PatientKeys(Path store, DataKeys dataKeys) {
        this.store = store.toAbsolutePath().normalize();
        this.packs = new KeyPacks(this.store, (facility, patient) -> Files.exists(tombstone(facility, patient)));
        this.dataKeys = dataKeys;
    }

    /** DOSSIER_KEYS_PATIENT_STORE, else beside the key-encryption key: {@code <keys dir>/patients}, never in the data directory. */
    private static Path storeDir(String patientStore, String keysDir, String dataDir) {
        if (!patientStore.isBlank()) {
            return Path.of(patientStore);
        }
        return KeyFiles.directory(keysDir, dataDir).resolve("patients");
    }

    Path store() {
        return store;
    }

    /** The patient's key if the store holds one (null otherwise); {@link #state} tells a shredded patient from one without. */
    Aead existing(int facilityId, long patientId) {
        Loaded loaded = loaded(facilityId, patientId);
        return loaded == null ? null : loaded.aead();
    }

    /** The prefix of the values the patient's key seals, or null if the patient has no key. */
    byte[] prefix(int facilityId, long patientId) {
        Loaded loaded = loaded(facilityId, patientId);
        return loaded == null ? null : loaded.prefix();
    }

    private Loaded loaded(int facilityId, long patientId) {
        Loaded made = pending.get(patientId);
        if (made != null) {
            return made;
        }
        Path file = keyFile(facilityId, patientId);
        Loaded cached = cache.get(patientId);
        if (cached != null) {
            if (cached.packed() ? !Files.exists(tombstone(facilityId, patientId)) : Files.exists(file)) {
                return cached;
            }
            cache.remove(patientId);
            return null;
        }
        byte[] wrapped = read(file);
        if (wrapped != null) {
            return remember(patientId, unwrap(facilityId, patientId, wrapped, false));
        }
        if (Files.exists(tombstone(facilityId, patientId))) {
            return null;
        }
        byte[] packed = packs.read(facilityId, patientId);
        return packed == null ? null : remember(patientId, unwrap(facilityId, patientId, packed, true));
    }

    State state(int facilityId, long patientId) {
        if (existing(facilityId, patientId) != null) {
            return State.KEY;
        }
        return Files.exists(tombstone(facilityId, patientId)) ? State.SHREDDED : State.NONE;
    }

    /** The patient's key, made and stored durably first if there is none; a shredded patient gets none. */
    Aead orCreate(int facilityId, long patientId) {
        Aead key = existing(facilityId, patientId);
        if (key != null) {
            return key;
        }
        if (Files.exists(tombstone(facilityId, patientId))) {
            throw new ErasedValueException(facilityId, patientId);
        }
        create(facilityId, patientId, true);
        return existing(facilityId, patientId);
    }

    /**
     * Makes the keys of patients who have none, at once (a data-key rotation's patients from before ADR 0047): every file
     * written, then all made durable together, before any value sealed with them is stored. {@code CREATE_NEW}: a key
     * made meanwhile by another node for one of them fails this (whatever was sealed with ours must not commit).
     */
    public void prepare(int facilityId, Collection<Long> patientIds) {
        List<Long> keyless = patientIds.stream().filter(id -> state(facilityId, id) == State.NONE).toList();
        Map<Long, byte[]> made = make(facilityId, dataKeys.fieldKey(facilityId), keyless);
        try {
            made.keySet().stream().map(id -> keyFile(facilityId, id).getParent()).distinct().forEach(PatientKeys::createDirectories);
            List<Path> files = made.entrySet().stream().map(e -> writeNew(facilityId, e.getKey(), e.getValue())).toList();
            fsyncAll(files);
            files.stream().map(Path::getParent).distinct().forEach(KeyFiles::fsync);
            made.keySet().forEach(id -> remember(id, pending.get(id)));
        } finally {
            made.keySet().forEach(pending::remove);
        }
    }

    /**
     * The keys of a bulk load's new patients — whom no one else can see before the load commits, so no one else makes
     * theirs — usable at once; answers what completes once they are durable, which the caller waits for before it
     * commits anything sealed with them. {@link #newKeys} says how.
     */
    public CompletableFuture<Void> prepareDurableLater(int facilityId, Collection<Long> newPatientIds) {
        NewKeys keys = newKeys(facilityId);
        return keys.make(newPatientIds).whenComplete((done, failed) -> keys.close());
    }

    /**
     * What makes a bulk load's new patients' keys in one facility. Made on the caller's thread, which reads the facility's
     * data key on its connection and in its transaction (the pool's threads have neither); {@link NewKeys#make} may then
     * run on any thread.
     */
    public NewKeys newKeys(int facilityId) {
        return new NewKeys(facilityId, dataKeys.fieldKey(facilityId));
    }

    /**
     * Makes new patients' keys, usable at once, and writes them in packs ({@link KeyPacks}: one fsync per 4,096 patient
     * ids, where one file per patient cost a flush of the whole file system) on a thread of their own while the caller
     * seals and copies. A key (a pack's, a file's or a tombstone) already there for one of them fails the load. The keys
     * stay in memory, looked up without a look at the store, until the caller has sealed with them ({@link #release}) or
     * its load has committed or failed ({@link #close}).
     */
    public final class NewKeys implements AutoCloseable {
        private final int facilityId;
        private final Aead wrapping;
        private final java.util.Set<Long> made = ConcurrentHashMap.newKeySet();
        private final java.util.Set<Long> durable = ConcurrentHashMap.newKeySet();
        /** One thread writes the packs, in the order the chunks came: a load's writes queue, they do not pile up threads. */
        private final java.util.concurrent.ExecutorService writing = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "patient-keys-writing");
            thread.setDaemon(true);
            return thread;
        });
        private volatile boolean closed;

        private NewKeys(int facilityId, Aead wrapping) {
            this.facilityId = facilityId;
            this.wrapping = wrapping;
        }

        /** The keys made and usable now; what the returned future completes is their being durable. */
        public CompletableFuture<Void> make(Collection<Long> newPatientIds) {
            if (closed) {
                throw new IllegalStateException("These keys were closed: the load is over");
            }
            // counted as made before they are usable, so that closing forgets every one of them
            made.addAll(newPatientIds);
            Map<Long, byte[]> wrapped = PatientKeys.this.make(facilityId, wrapping, newPatientIds);
            return CompletableFuture.runAsync(() -> {
                refuseKeysAlreadyStored(wrapped.keySet());
                packs.add(facilityId, wrapped);
                // those released meanwhile are read from their pack when next needed
                wrapped.keySet().stream().filter(made::contains).forEach(durable::add);
            }, writing);
        }

        /**
         * Done sealing with these patients' keys: they leave memory (a million would not fit), those already on disk for
         * the cache (bounded; a packed key is checked against its tombstone there), the others to be read from their pack.
         */
        public void release(Collection<Long> patientIds) {
            patientIds.forEach(id -> {
                made.remove(id);
                Loaded key = pending.remove(id);
                if (key != null && durable.remove(id)) {
                    remember(id, new Loaded(key.aead(), key.prefix(), true));
                }
            });
        }

        /** Releases every key still held; the writing thread ends once its queue is done. */
        @Override
        public void close() {
            closed = true;
            writing.shutdown();
            release(List.copyOf(made));
        }

        /**
         * A key (or a tombstone) left in the store by a load that failed, or a store kept while its database was not,
         * would be read before ours. One listing of the facility's directory when it holds no patient's own file (a
         * bulk-loaded hospital's), else a look per patient.
         */
        private void refuseKeysAlreadyStored(java.util.Set<Long> ids) {
            Path facility = store.resolve(Integer.toString(facilityId));
            try (var entries = Files.list(facility)) {
                if (entries.allMatch(e -> e.getFileName().toString().equals("packs"))) {
                    return;
                }
            } catch (NoSuchFileException none) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + facility, e);
            }
            ids.stream().filter(id -> Files.exists(keyFile(facilityId, id)) || Files.exists(tombstone(facilityId, id))).findFirst()
                    .ifPresent(id -> {
                        throw new IllegalStateException("The key store already holds a key for patient " + id + " ("
                                + keyFile(facilityId, id).getParent() + "): a key store kept from another database?");
                    });
        }
    }

    /**
     * New keys, wrapped, usable at once from {@link #pending}; on every thread of the caller's pool (a keyset is some 50 µs
     * to make and wrap).
     */
    private Map<Long, byte[]> make(int facilityId, Aead wrapping, Collection<Long> patientIds) {
        Map<Long, byte[]> made = new ConcurrentHashMap<>();
        patientIds.parallelStream().forEach(id -> {
            try {
                KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
                byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(fresh, wrapping, associatedData(facilityId, id));
                pending.put(id, new Loaded(fresh.getPrimitive(RegistryConfiguration.get(), Aead.class),
                        ((com.google.crypto.tink.aead.AeadKey) fresh.getPrimary().getKey()).getOutputPrefix().toByteArray(), false));
                made.put(id, wrapped);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Cannot make the key of patient " + id, e);
            }
        });
        return made;
    }

    /**
     * Makes many new files durable. One fsync costs a journal commit (2-3 ms on the build machine's ext4): 20,000 in a row
     * took a minute. On Linux one {@code syncfs(2)} of the store's file system ({@code sync -f}, coreutils) makes them all
     * durable at once; elsewhere, or if it fails, they are fsynced 64 at a time (commits shared: 5 to 10 times faster).
     */
    private static void fsyncAll(List<Path> files) {
        if (files.size() > PARALLEL_SYNCS && syncFileSystemOf(files.get(0))) {
            return;
        }
        ExecutorService syncing = Executors.newFixedThreadPool(PARALLEL_SYNCS);
        try {
            List<Future<?>> done = new ArrayList<>();
            files.forEach(file -> done.add(syncing.submit(() -> fsync(file))));
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while making patient keys durable", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot make patient keys durable", e.getCause());
        } finally {
            syncing.shutdown();
        }
    }

    /**
     * A key written straight to its file (one metadata operation where {@link #create} takes three), for a rotation's
     * patients who had none: thousands at a time. {@code CREATE_NEW} never replaces a key: a file already there means
     * another key was made for the patient meanwhile, and the batch (sealed with this one) must not commit.
     */
    private Path writeNew(int facilityId, long patientId, byte[] wrapped) {
        Path file = keyFile(facilityId, patientId);
        try {
            Files.write(file, wrapped, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot store the key of patient " + patientId + " in " + store, e);
        }
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the key directory " + directory, e);
        }
    }

    private Path create(int facilityId, long patientId, boolean durable) {
        Path file = keyFile(facilityId, patientId);
        try {
            KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(fresh, dataKeys.fieldKey(facilityId),
                    associatedData(facilityId, patientId));
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(patientId + "." + UUID.randomUUID() + ".tmp");
            Files.write(temp, wrapped, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            // two nodes making the same patient's key keep the first one
            KeyFiles.publish(temp, file, durable);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot store the key of patient " + patientId + " in " + store, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make the key of patient " + patientId, e);
        }
    }

    /**
     * Crypto-shredding: the patient's key file is replaced by a tombstone and deleted, durably, and forgotten here. Answers
     * false if there was no key (nothing was ever sealed with one; the tombstone is written all the same).
     */
    public boolean shred(int facilityId, long patientId, Instant when) {
        Path file = keyFile(facilityId, patientId);
        try {
            Files.createDirectories(file.getParent());
            Path tombstone = tombstone(facilityId, patientId);
            Files.writeString(tombstone, "shredded " + when + "\n", StandardCharsets.UTF_8);
            fsync(tombstone);
            boolean had = Files.deleteIfExists(file);
            fsync(file.getParent());
            had |= packs.remove(facilityId, patientId);
            cache.remove(patientId);
            pending.remove(patientId);
            log.info("Shredded the key of patient {} (facility {}): {}", patientId, facilityId, had ? "deleted" : "there was none");
            return had;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot shred the key of patient " + patientId + " in " + store, e);
        }
    }

    /** Whether the store holds a tombstone for the patient. */
    public boolean isShredded(int facilityId, long patientId) {
        return Files.exists(tombstone(facilityId, patientId));
    }

    /** Forgets the cached keys (a facility key rotation re-wraps the files). */
    void forget() {
        cache.clear();
    }

    /**
     * Re-wraps the key files of these patients with the facility key's current primary (a data-key rotation): new files
     * written beside the old ones and made durable together, then renamed over them. Answers how many were re-wrapped.
     * A patient shredded meanwhile stays shredded (checked after the rename).
     */
    int rewrap(int facilityId, Collection<Long> patientIds) {
        Map<Path, Path> fresh = new java.util.LinkedHashMap<>();
        List<Long> notInFiles = new ArrayList<>();
        for (long patientId : patientIds) {
            Path file = keyFile(facilityId, patientId);
            byte[] wrapped = read(file);
            if (wrapped != null) {
                fresh.put(file, writeRewrapped(facilityId, patientId, file, wrapped));
            } else {
                notInFiles.add(patientId);
            }
        }
        // a packed key is re-wrapped in its pack, under the pack's lock: a shredding meanwhile is not undone
        int packed = packs.rewrap(facilityId, notInFiles, (patientId, wrapped) -> rewrapped(facilityId, patientId, wrapped));
        fsyncAll(List.copyOf(fresh.values()));
        try {
            for (var e : fresh.entrySet()) {
                Files.move(e.getValue(), e.getKey(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            fresh.keySet().stream().map(Path::getParent).distinct().forEach(KeyFiles::fsync);
            for (long patientId : patientIds) {
                if (isShredded(facilityId, patientId) && Files.deleteIfExists(keyFile(facilityId, patientId))) {
                    fsync(keyFile(facilityId, patientId).getParent());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot re-wrap patient keys in " + store, e);
        }
        return fresh.size() + packed;
    }

    private Path writeRewrapped(int facilityId, long patientId, Path file, byte[] wrapped) {
        try {
            Path temp = file.resolveSibling(patientId + "." + UUID.randomUUID() + ".tmp");
            Files.write(temp, rewrapped(facilityId, patientId, wrapped), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return temp;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot re-wrap the key of patient " + patientId, e);
        }
    }

    private byte[] rewrapped(int facilityId, long patientId, byte[] wrapped) {
        try {
            KeysetHandle handle = parse(facilityId, patientId, wrapped);
            return TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, dataKeys.fieldKey(facilityId), associatedData(facilityId, patientId));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The key of patient " + patientId + " does not unwrap with facility " + facilityId
                    + "'s data key", e);
        }
    }

    private Loaded remember(long patientId, Loaded key) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(patientId, key);
        return key;
    }

    private Loaded unwrap(int facilityId, long patientId, byte[] wrapped, boolean packed) {
        try {
            KeysetHandle handle = parse(facilityId, patientId, wrapped);
            return new Loaded(handle.getPrimitive(RegistryConfiguration.get(), Aead.class),
                    ((com.google.crypto.tink.aead.AeadKey) handle.getPrimary().getKey()).getOutputPrefix().toByteArray(), packed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The key of patient " + patientId + " in " + store + " does not unwrap with facility "
                    + facilityId + "'s data key: another database's key store, or the file was altered", e);
        }
    }

    /** Unwraps with the facility key, read again once if another node rotated it since this one loaded it. */
    private KeysetHandle parse(int facilityId, long patientId, byte[] wrapped) throws GeneralSecurityException {
        byte[] ad = associatedData(facilityId, patientId);
        try {
            return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, dataKeys.fieldKey(facilityId), ad);
        } catch (GeneralSecurityException e) {
            Aead reloaded = dataKeys.reloadedFieldKey(facilityId);
            if (reloaded == null) {
                throw e;
            }
            return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, reloaded, ad);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException none) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the patient key " + file, e);
        }
    }

    private static byte[] associatedData(int facilityId, long patientId) {
        return ("dossier-patient-key|" + facilityId + "|" + patientId).getBytes(StandardCharsets.UTF_8);
    }

    // one resolve of one string: these run at every seal and open (a chart read opens hundreds of values)
    Path keyFile(int facilityId, long patientId) {
        return store.resolve(facilityId + "/" + patientId % 1000 + "/" + patientId + ".key");
    }

    private Path tombstone(int facilityId, long patientId) {
        return store.resolve(facilityId + "/" + patientId % 1000 + "/" + patientId + ".shredded");
    }

    /** {@code sync -f}: syncfs(2) of the file system holding {@code file}; false where there is no such command. */
    private static boolean syncFileSystemOf(Path file) {
        if (!Files.isExecutable(SYNC)) {
            return false;
        }
        try {
            Process sync = new ProcessBuilder(SYNC.toString(), "-f", file.toString()).redirectErrorStream(true).start();
            sync.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return sync.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
