package org.dossier.platform.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.UUID;

/**
 * Where the server's key files live, and how one is made durable. The keys directory is {@code DOSSIER_KEYS_DIR}, else
 * the data directory's name followed by {@code -keys}, beside it and never inside it: a copy of the data directory (what
 * a backup of the server's disk takes) must not carry what opens the data (issue 22).
 */
public final class KeyFiles {

    private KeyFiles() {
    }

    /** {@code DOSSIER_KEYS_DIR} when given, else {@code <data dir>-keys}. */
    public static Path directory(String keysDir, String dataDir) {
        if (!keysDir.isBlank()) {
            return Path.of(keysDir);
        }
        Path data = Path.of(dataDir).toAbsolutePath().normalize();
        return data.resolveSibling(data.getFileName() + "-keys");
    }

    /**
     * Moves a key file from where an earlier version kept it to where it belongs, once and crash-safely: copied beside its
     * target and made durable, linked to its name (never replacing a file there), then the old one removed. Also finishes a
     * move a crash interrupted (both files, the same bytes). Returns whether the old file was there.
     *
     * @throws IllegalStateException when both hold different keys: which one seals the data is not for the server to guess
     */
    public static boolean moveLegacy(Path from, Path to) {
        if (!Files.exists(from)) {
            return false;
        }
        try {
            if (!Files.exists(to)) {
                Files.createDirectories(to.getParent());
                Path temp = to.resolveSibling(to.getFileName() + "." + UUID.randomUUID() + ".tmp");
                // a copy, not a rename: the keys directory may be on another file system than the data directory
                Files.copy(from, temp, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                publish(temp, to, true); // one made meanwhile is compared below
            }
            if (!Arrays.equals(Files.readAllBytes(from), Files.readAllBytes(to))) {
                throw new IllegalStateException("Two different keys: " + from.toAbsolutePath() + " (where earlier versions kept it) and "
                        + to.toAbsolutePath() + "; keep the one that opens this database's secrets at " + to.toAbsolutePath()
                        + " and delete the other");
            }
            Files.delete(from);
            fsync(from.getParent());
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the key file " + from + " to " + to, e);
        }
    }

    /**
     * Gives a file written in full under a temporary name beside it its name, unless that name is taken: a hard link never
     * replaces, so two writers of the same key keep the first one. Durable: the file's bytes, then its name.
     */
    static void publish(Path temp, Path file, boolean durable) throws IOException {
        if (durable) {
            fsync(temp);
        }
        try {
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException another) {
            // the other one is the file
        } finally {
            Files.delete(temp);
        }
        if (durable) {
            fsync(file.getParent());
        }
    }

    /** Makes a file, or a directory's entries, durable. */
    static void fsync(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make " + path + " durable", e);
        }
    }
}
