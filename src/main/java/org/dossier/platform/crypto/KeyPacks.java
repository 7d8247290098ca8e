package org.dossier.platform.crypto;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.LongPredicate;
import java.util.function.UnaryOperator;

import static org.dossier.platform.crypto.KeyFiles.fsync;

/**
 * The wrapped keys of bulk-loaded patients, {@value #BLOCK} patient ids to a file ({@code <facility>/packs/<id / 4096>.pack}),
 * instead of one file each (ADR 0057). Twenty thousand files of 150 bytes cost twenty thousand 4 KiB blocks and inodes
 * and a flush of the whole file system; their packs are fifteen files of about 200 KiB, each made durable by its own
 * fsync. A pack is only ever replaced whole (written beside, fsynced, renamed over): a reader sees the old one or the new
 * one. Changing one (a shredded patient's key taken out, a rotation's re-wrap, a second load's keys added) holds a lock
 * on the pack — in this process and, through a lock file, in the others that share the store — so that two changes never
 * lose each other's, which for a shredding would leave a destroyed key in the store.
 *
 * <p>Format: {@code DKPACK01}, the record count, then per record (by patient id) the id, offset and length of its
 * wrapped key, then the keys. A key stays bound to its patient by the associated data it was wrapped with, whatever
 * record holds it; a pack that does not parse exactly (counts, bounds, order, ids of its block) is refused whole.
 */
final class KeyPacks {

    static final long BLOCK = 4096;
    private static final byte[] MAGIC = "DKPACK01".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + Integer.BYTES;
    private static final int RECORD = Long.BYTES + 2 * Integer.BYTES;
    /** A wrapped Tink keyset is ~150 bytes: anything much larger is not one. */
    private static final int MAX_KEY = 4096;
    /**
     * In-process locks, one per pack (by its real path: two spellings of one store must share one): a file lock is held
     * by the process, so two threads of it need this too.
     */
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    /** What a tombstone says: the patient was shredded (their record is dropped from any pack rewritten). */
    interface Tombstones {
        boolean shredded(int facilityId, long patientId);
    }

    private final Path store;
    private final Tombstones tombstones;

    KeyPacks(Path store, Tombstones tombstones) {
        this.store = store;
        this.tombstones = tombstones;
    }

    /** For tests that only read packs. */
    KeyPacks(Path store) {
        this(store, (facility, patient) -> false);
    }

    Path pack(int facilityId, long patientId) {
        return store.resolve(facilityId + "/packs/" + patientId / BLOCK + ".pack");
    }

    /** The patient's wrapped key if a pack holds it, else null. */
    byte[] read(int facilityId, long patientId) {
        Path pack = pack(facilityId, patientId);
        try (FileChannel in = FileChannel.open(pack, StandardOpenOption.READ)) {
            long size = in.size();
            ByteBuffer header = readFully(in, 0, HEADER, size, pack);
            int count = count(header, size, pack);
            ByteBuffer index = readFully(in, HEADER, count * RECORD, size, pack);
            long block = patientId / BLOCK;
            int low = 0;
            int high = count - 1;
            // every id the search looks at must lie between those it saw before: an index out of order is refused,
            // never searched wrong (a key missed here would be made again: two keys for one patient)
            long above = Long.MIN_VALUE;
            long below = Long.MAX_VALUE;
            while (low <= high) {
                int middle = (low + high) >>> 1;
                long id = index.getLong(middle * RECORD);
                if (id / BLOCK != block || id <= above || id >= below) {
                    throw new IOException("The key pack " + pack + " holds records out of order or of another block");
                }
                if (id < patientId) {
                    above = id;
                    low = middle + 1;
                } else if (id > patientId) {
                    below = id;
                    high = middle - 1;
                } else {
                    int offset = index.getInt(middle * RECORD + Long.BYTES);
                    int length = index.getInt(middle * RECORD + Long.BYTES + Integer.BYTES);
                    checkBounds(offset, length, count, size, pack);
                    return readFully(in, offset, length, size, pack).array();
                }
            }
            return null;
        } catch (NoSuchFileException none) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the key pack " + pack + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds new patients' keys, durably once this returns. A patient a pack already holds a key for fails it, before
     * anything is written (every pack is looked at first): another key was made for them, and whatever was sealed with
     * this one must not be committed.
     */
    void add(int facilityId, Map<Long, byte[]> wrapped) {
        Map<Path, Map<Long, byte[]>> byPack = new TreeMap<>();
        wrapped.forEach((id, key) -> byPack.computeIfAbsent(pack(facilityId, id), p -> new TreeMap<>()).put(id, key));
        byPack.forEach((pack, keys) -> {
            try {
                refuseHeld(pack, records(pack), keys);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the key pack " + pack, e);
            }
        });
        // again under each pack's lock: another load may have written meanwhile
        byPack.forEach((pack, keys) -> change(pack, held -> {
            refuseHeld(pack, held, keys);
            TreeMap<Long, byte[]> more = new TreeMap<>(held);
            more.putAll(keys);
            return more;
        }));
    }

    private static void refuseHeld(Path pack, Map<Long, byte[]> held, Map<Long, byte[]> adding) {
        adding.keySet().stream().filter(held::containsKey).findFirst().ifPresent(id -> {
            throw new IllegalStateException("The key store already holds a key for patient " + id + " (" + pack
                    + "): a key store kept from another database?");
        });
    }

    /**
     * Takes the patient's key out of its pack, durably; false if no pack held it. Any other record of the pack whose
     * patient has a tombstone goes too: a shredding that stopped half-way (tombstone written, pack not) is finished here.
     */
    boolean remove(int facilityId, long patientId) {
        boolean[] had = {false};
        change(pack(facilityId, patientId), held -> {
            had[0] = held.containsKey(patientId);
            TreeMap<Long, byte[]> fewer = withoutShredded(facilityId, held, id -> id == patientId);
            return fewer.size() == held.size() ? held : fewer;
        });
        return had[0];
    }

    /** Replaces these patients' wrapped keys by what {@code rewrapping} makes of them, durably; answers how many. */
    int rewrap(int facilityId, Collection<Long> patientIds, BiFunction<Long, byte[], byte[]> rewrapping) {
        Map<Path, List<Long>> byPack = new TreeMap<>();
        patientIds.forEach(id -> byPack.computeIfAbsent(pack(facilityId, id), p -> new ArrayList<>()).add(id));
        int[] done = {0};
        byPack.forEach((pack, ids) -> change(pack, held -> {
            TreeMap<Long, byte[]> again = withoutShredded(facilityId, held, id -> false);
            for (long id : ids) {
                byte[] key = again.get(id);
                if (key != null) {
                    again.put(id, rewrapping.apply(id, key));
                    done[0]++;
                }
            }
            return again;
        }));
        return done[0];
    }

    private TreeMap<Long, byte[]> withoutShredded(int facilityId, TreeMap<Long, byte[]> held, LongPredicate alsoDrop) {
        TreeMap<Long, byte[]> kept = new TreeMap<>();
        held.forEach((id, key) -> {
            if (!alsoDrop.test(id) && !tombstones.shredded(facilityId, id)) {
                kept.put(id, key);
            }
        });
        return kept;
    }

    /**
     * Reads a pack, lets {@code changing} make its new records, and replaces it with them (unless it answers the same
     * map), holding the pack's lock throughout. A temporary file left by a change that failed (a full copy of the pack,
     * shredded keys included) is deleted first: only the lock's holder writes one.
     */
    private void change(Path pack, UnaryOperator<TreeMap<Long, byte[]>> changing) {
        try {
            Path directory = pack.getParent();
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
                fsync(directory.getParent());
                fsync(directory.getParent().getParent());
            }
            Path real = directory.toRealPath().resolve(pack.getFileName());
            synchronized (LOCKS.computeIfAbsent(real, p -> new Object())) {
                try (FileChannel lockFile = FileChannel.open(real.resolveSibling(real.getFileName() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                    deleteLeftovers(real);
                    TreeMap<Long, byte[]> held = records(real);
                    TreeMap<Long, byte[]> changed = changing.apply(held);
                    if (changed != held) {
                        write(real, changed);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot change the key pack " + pack + ": " + e.getMessage(), e);
        }
    }

    private static void deleteLeftovers(Path pack) throws IOException {
        boolean deleted = false;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(pack.getParent(), pack.getFileName() + ".*.tmp")) {
            for (Path leftover : leftovers) {
                deleted |= Files.deleteIfExists(leftover);
            }
        }
        if (deleted) {
            fsync(pack.getParent());
        }
    }

    private static TreeMap<Long, byte[]> records(Path pack) throws IOException {
        TreeMap<Long, byte[]> records = new TreeMap<>();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(pack);
        } catch (NoSuchFileException none) {
            return records;
        }
        ByteBuffer all = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER) {
            throw new IOException("The key pack " + pack + " is cut short");
        }
        int count = count(all, bytes.length, pack);
        if (HEADER + (long) count * RECORD > bytes.length) {
            throw new IOException("The key pack " + pack + " is cut short");
        }
        long block = -1;
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * RECORD;
            long id = all.getLong(at);
            int offset = all.getInt(at + Long.BYTES);
            int length = all.getInt(at + Long.BYTES + Integer.BYTES);
            checkBounds(offset, length, count, bytes.length, pack);
            if (block == -1) {
                block = id / BLOCK;
            }
            if (id / BLOCK != block || !records.isEmpty() && id <= records.lastKey()) {
                throw new IOException("The key pack " + pack + " holds records out of order or of another block");
            }
            records.put(id, Arrays.copyOfRange(bytes, offset, offset + length));
        }
        return records;
    }

    /** Written beside, fsynced, renamed over the old pack (or removed when empty), the directory fsynced. */
    private static void write(Path pack, TreeMap<Long, byte[]> records) throws IOException {
        if (records.isEmpty()) {
            Files.deleteIfExists(pack);
            fsync(pack.getParent());
            return;
        }
        Path temp = pack.resolveSibling(pack.getFileName() + "." + UUID.randomUUID() + ".tmp");
        boolean moved = false;
        try {
            try (OutputStream file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(file, 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(records.size());
                int offset = HEADER + records.size() * RECORD;
                for (var e : records.entrySet()) {
                    out.writeLong(e.getKey());
                    out.writeInt(offset);
                    out.writeInt(e.getValue().length);
                    offset += e.getValue().length;
                }
                for (byte[] key : records.values()) {
                    out.write(key);
                }
            }
            fsync(temp);
            Files.move(temp, pack, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            fsync(pack.getParent());
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static int count(ByteBuffer header, long size, Path pack) throws IOException {
        if (!Arrays.equals(header.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("Not a key pack: " + pack);
        }
        int count = header.getInt(MAGIC.length);
        if (count < 0 || count > BLOCK || HEADER + (long) count * RECORD > size) {
            throw new IOException("The key pack " + pack + " has an impossible record count");
        }
        return count;
    }

    private static void checkBounds(int offset, int length, int count, long size, Path pack) throws IOException {
        if (offset < HEADER + (long) count * RECORD || length <= 0 || length > MAX_KEY || (long) offset + length > size) {
            throw new IOException("The key pack " + pack + " has a record outside its bounds");
        }
    }

    private static ByteBuffer readFully(FileChannel in, long position, int length, long size, Path pack) throws IOException {
        if (position + length > size) {
            throw new IOException("The key pack " + pack + " is cut short");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("The key pack " + pack + " is cut short");
            }
        }
        return buffer.flip();
    }
}
