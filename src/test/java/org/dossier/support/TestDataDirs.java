package org.dossier.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Fresh data directories under target/test-data/. Each test server gets its own cluster (several hundred MB); those of
 * earlier runs are removed when a new run starts, so that running the suite again and again does not fill the disk.
 */
public final class TestDataDirs {

    /** Older than any run of the suite or a benchmark: nobody uses such a cluster any more. */
    private static final Duration STALE = Duration.ofMinutes(45);
    private static final Path ROOT = Path.of("target", "test-data");
    private static boolean swept;

    private TestDataDirs() {
    }

    public static synchronized Path fresh(String name) {
        try {
            Files.createDirectories(ROOT);
            if (!swept) {
                swept = true;
                removeStale();
            }
            return Files.createTempDirectory(ROOT, name + "-").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeStale() throws IOException {
        FileTime before = FileTime.from(Instant.now().minus(STALE));
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.toList()) {
                if (Files.getLastModifiedTime(dir).compareTo(before) < 0) {
                    delete(dir);
                }
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a directory that cannot be removed now is removed by a later run or by mvn clean
        }
    }
}
