package org.dossier.platform.crypto;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 * record holds it.
 */
final class KeyPacks {

    static final long BLOCK = 4096;
    private static final byte[] MAGIC = "DKPACK01".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + Integer.BYTES;
    private static final int RECORD = Long.BYTES + 2 * Integer.BYTES;
    /** In-process locks, one per pack: a file lock is held by the process, so two threads of it need this too. */
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path store;

    KeyPacks(Path store) {
        this.store = store;
    }

    Path pack(int facilityId, long patientId) {
        return store.resolve(Integer.toString(facilityId)).resolve("packs").resolve((patientId / BLOCK) + ".pack");
    }

    /** The patient's wrapped key if a pack holds it, else null. */
    byte[] read(int facilityId, long patientId) {
        Path pack = pack(facilityId, patientId);
        try (FileChannel in = FileChannel.open(pack, StandardOpenOption.READ)) {
            ByteBuffer header = readFully(in, 0, HEADER, pack);
            checkMagic(header, pack);
            int count = header.getInt(MAGIC.length);
            ByteBuffer index = readFully(in, HEADER, count * RECORD, pack);
            int low = 0;
            int high = count - 1;
            while (low <= high) {
                int middle = (low + high) >>> 1;
                long id = index.getLong(middle * RECORD);
                if (id < patientId) {
                    low = middle + 1;
                } else if (id > patientId) {
                    high = middle - 1;
                } else {
                    ByteBuffer key = readFully(in, index.getInt(middle * RECORD + Long.BYTES),
                            index.getInt(middle * RECORD + Long.BYTES + Integer.BYTES), pack);
                    return Arrays.copyOf(key.array(), key.limit());
                }
            }
            return null;
        } catch (NoSuchFileException none) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the key pack " + pack, e);
        }
    }

    /**
     * Adds new patients' keys, durably once this returns. A patient a pack already holds a key for is refused whole
     * (nothing added): another key was made for them, and whatever was sealed with this one must not be committed.
     */
    void add(int facilityId, Map<Long, byte[]> wrapped) {
        Map<Path, Map<Long, byte[]>> byPack = new TreeMap<>();
        wrapped.forEach((id, key) -> byPack.computeIfAbsent(pack(facilityId, id), p -> new TreeMap<>()).put(id, key));
        byPack.forEach((pack, keys) -> change(pack, held -> {
            keys.keySet().stream().filter(held::containsKey).findFirst().ifPresent(id -> {
                throw new IllegalStateException("The key store already holds a key for patient " + id + " (" + pack
                        + "): a key store kept from another database?");
            });
            TreeMap<Long, byte[]> more = new TreeMap<>(held);
            more.putAll(keys);
            return more;
        }));
    }

    /** Takes the patient's key out of its pack, durably; false if no pack held it. */
    boolean remove(int facilityId, long patientId) {
        boolean[] had = {false};
        change(pack(facilityId, patientId), held -> {
            had[0] = held.containsKey(patientId);
            if (!had[0]) {
                return held;
            }
            TreeMap<Long, byte[]> fewer = new TreeMap<>(held);
            fewer.remove(patientId);
            return fewer;
        });
        return had[0];
    }

    /** Replaces these patients' wrapped keys by what {@code rewrapping} makes of them, durably; answers how many. */
    int rewrap(int facilityId, Collection<Long> patientIds, java.util.function.BiFunction<Long, byte[], byte[]> rewrapping) {
        Map<Path, java.util.List<Long>> byPack = new TreeMap<>();
        patientIds.forEach(id -> byPack.computeIfAbsent(pack(facilityId, id), p -> new java.util.ArrayList<>()).add(id));
        int[] done = {0};
        byPack.forEach((pack, ids) -> change(pack, held -> {
            TreeMap<Long, byte[]> again = new TreeMap<>(held);
            for (long id : ids) {
                byte[] key = held.get(id);
                if (key != null) {
                    again.put(id, rewrapping.apply(id, key));
                    done[0]++;
                }
            }
            return again;
        }));
        return done[0];
    }

    /**
     * Reads a pack, lets {@code changing} make its new records, and replaces it with them (unless they are the same
     * map), holding the pack's lock throughout.
     */
    private void change(Path pack, UnaryOperator<TreeMap<Long, byte[]>> changing) {
        synchronized (LOCKS.computeIfAbsent(pack, p -> new Object())) {
            try {
                Files.createDirectories(pack.getParent());
                try (FileChannel lockFile = FileChannel.open(pack.resolveSibling(pack.getFileName() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                    TreeMap<Long, byte[]> held = records(pack);
                    TreeMap<Long, byte[]> changed = changing.apply(held);
                    if (changed != held) {
                        write(pack, changed);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot change the key pack " + pack, e);
            }
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
        checkMagic(all, pack);
        int count = all.getInt(MAGIC.length);
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * RECORD;
            int offset = all.getInt(at + Long.BYTES);
            int length = all.getInt(at + Long.BYTES + Integer.BYTES);
            records.put(all.getLong(at), Arrays.copyOfRange(bytes, offset, offset + length));
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
        fsync(pack.getParent());
    }

    private static ByteBuffer readFully(FileChannel in, long position, int length, Path pack) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("The key pack " + pack + " is cut short");
            }
        }
        return buffer.flip();
    }

    private static void checkMagic(ByteBuffer header, Path pack) throws IOException {
        if (!Arrays.equals(header.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("Not a key pack: " + pack);
        }
    }
}
