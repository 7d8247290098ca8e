package org.dossier.platform.database;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.util.ArchUtils;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server run from the binaries that io.zonky.test ships on Maven Central, with its
 * cluster in a directory that survives restarts.
 *
 * <p>We drive initdb and pg_ctl ourselves instead of zonky's {@code EmbeddedPostgres} because
 * PostgreSQL refuses to run as root, and CI machines and containers often are root. As root the
 * commands run inside a fresh user namespace ({@code unshare --user}): PostgreSQL then sees an
 * unprivileged uid while the files stay owned by the invoking user. See
 * docs/decisions/0002-embedded-postgresql.md.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    public static final String SUPERUSER = "dossier";
    public static final String DATABASE = "dossier";

    private final Path binDir;
    private final Path clusterDir;
    private final Path logFile;
    private final int port;
    private final String password;
    private final boolean asRoot;
    private volatile boolean running;
    /** The settings of the first start, used again by {@link #restart()}. */
    private Map<String, String> settings = Map.of();
    /** The postmaster's PID as its postmaster.pid said after the last start. */
    private volatile long postmasterPid = -1;
    private java.nio.channels.FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    private EmbeddedPostgresServer(Path binDir, Path clusterDir, int port, String password, boolean asRoot) {
        this.binDir = binDir;
        this.clusterDir = clusterDir;
        this.logFile = clusterDir.resolveSibling("postgresql.log");
        this.port = port;
        this.password = password;
        this.asRoot = asRoot;
    }

    /**
     * Starts (creating on first use) the cluster under {@code dataDir/postgres}. The superuser
     * password is generated once and kept in {@code dataDir/postgres-password}, never in the repository.
     */
    public static EmbeddedPostgresServer start(Path dataDir, Map<String, String> serverSettings) {
        try {
            Path root = dataDir.toAbsolutePath().normalize();
            Files.createDirectories(root);
            // One server per data directory: a second one must not take over (and stop) the first one's database.
            java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(root.resolve("dossier.lock"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by this very JVM
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("Another Dossier server is using the data directory " + root
                        + "; stop it, or give this one its own DOSSIER_DATA_DIR");
            }
            Path binDir = extractBinaries(root.resolve("postgres-binaries"));
            Path clusterDir = root.resolve("postgres");
            String password = readOrCreatePassword(root.resolve("postgres-password"));
            boolean asRoot = isRoot();
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(binDir, clusterDir, freePort(), password, asRoot);
            server.lockChannel = channel;
            server.lock = lock;
            server.initIfNeeded();
            server.stopStaleServer();
            server.startServer(serverSettings);
            server.createDatabaseIfMissing();
            server.appPassword = readOrCreatePassword(root.resolve("app-password"));
            server.ensureApplicationRole();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL in " + dataDir, e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return SUPERUSER;
    }

    /** The login role the application runs as: no superuser, no owner, so row-level security applies to it. */
    public static final String APP_ROLE = "dossier_app";
    private String appPassword;

    public String appPassword() {
        return appPassword;
    }

    private void ensureApplicationRole() {
        try (var c = java.sql.DriverManager.getConnection(jdbcUrl(), SUPERUSER, password);
             var s = c.createStatement()) {
            boolean exists;
            try (var rs = s.executeQuery("select 1 from pg_roles where rolname = '" + APP_ROLE + "'")) {
                exists = rs.next();
            }
            // The password is hex from readOrCreatePassword, so it needs no quoting beyond the literal.
            s.execute((exists ? "alter role " : "create role ") + APP_ROLE + " login nosuperuser nocreatedb nocreaterole nobypassrls password '"
                    + appPassword + "'");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Cannot create the application role " + APP_ROLE + ": " + e.getMessage(), e);
        }
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (running) {
            running = false;
            try {
                run(List.of(binDir.resolve("pg_ctl").toString(), "-D", clusterDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"), 90);
                log.info("Embedded PostgreSQL stopped");
            } catch (RuntimeException e) {
                log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
            }
        }
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
                lock = null;
            }
        } catch (IOException e) {
            log.warn("Could not release the data directory lock: {}", e.getMessage());
        }
    }

    private void initIfNeeded() throws IOException {
        if (Files.exists(clusterDir.resolve("PG_VERSION"))) {
            return;
        }
        log.info("Creating the embedded PostgreSQL cluster in {}", clusterDir);
        Path pwFile = Files.createTempFile(clusterDir.getParent(), "pw", ".tmp");
        try {
            Files.writeString(pwFile, password + "\n");
            run(List.of(binDir.resolve("initdb").toString(), "-D", clusterDir.toString(), "-U", SUPERUSER,
                    "--pwfile=" + pwFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"), 120);
        } finally {
            Files.deleteIfExists(pwFile);
        }
    }

    /**
     * A JVM killed without its shutdown hook leaves postgres running; we hold the directory's lock, so that
     * postgres is an orphan: take the cluster back. A postmaster that died (killed, or a zombie nobody reaped) left
     * only its lock file and perhaps backends: those are cleared as after a crash.
     */
    private void stopStaleServer() {
        long stale = readPostmasterPid();
        if (stale > 0 && !isAlive(stale)) {
            clearAfterCrash();
            return;
        }
        if (Files.exists(clusterDir.resolve("postmaster.pid"))) {
            log.info("Stopping a PostgreSQL left running on {}", clusterDir);
            try {
                run(List.of(binDir.resolve("pg_ctl").toString(), "-D", clusterDir.toString(), "-m", "fast", "-w", "stop"), 90);
            } catch (RuntimeException e) {
                log.info("No running server to stop ({})", e.getMessage());
            }
        }
    }

    /** Whether the postmaster started last is still running (a zombie is not: it only waits to be reaped). */
    public boolean postmasterAlive() {
        long pid = postmasterPid;
        return pid > 0 && isAlive(pid);
    }

    public long postmasterPid() {
        return postmasterPid;
    }

    /** The server's own log, where the reason of a crash or of a failed start is. */
    public Path logFile() {
        return logFile;
    }

    /**
     * Starts the server again on the same cluster, port and settings after its postmaster died. PostgreSQL's crash
     * recovery replays the WAL, so every committed transaction is there again. What the dead postmaster left is
     * cleared first: its backends (they would keep the old shared memory attached, and PostgreSQL refuses to start
     * beside them) and its lock file (its PID may be a zombie that nobody reaps, which PostgreSQL takes for a running
     * server). Safe because this JVM holds the data directory's lock: no other server of ours uses the cluster.
     */
    public synchronized void restart() {
        clearAfterCrash();
        startServer(settings);
    }

    /** Kills what is left of a dead postmaster's server and removes its lock file; waits until they are gone. */
    private void clearAfterCrash() {
        Path cluster = realPath(clusterDir);
        List<ProcessHandle> orphans = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid() && cluster.equals(cwd(p.pid())))
                .toList();
        orphans.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (orphans.stream().anyMatch(p -> isAlive(p.pid())) && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (!orphans.isEmpty()) {
            log.warn("Killed {} PostgreSQL process(es) left by the dead postmaster of {}", orphans.size(), clusterDir);
        }
        long stale = readPostmasterPid();
        if (stale > 0 && !isAlive(stale)) {
            try {
                Files.deleteIfExists(clusterDir.resolve("postmaster.pid"));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot remove the stale postmaster.pid of " + clusterDir, e);
            }
        }
    }

    private long readPostmasterPid() {
        try {
            List<String> lines = Files.readAllLines(clusterDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Alive and not a zombie: /proc/PID/stat's state (after the command name in parentheses) is neither Z nor X. */
    static boolean isAlive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            char state = close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** A process's working directory; PostgreSQL's processes all work in their cluster's directory. */
    private static Path cwd(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private void startServer(Map<String, String> serverSettings) {
        this.settings = Map.copyOf(serverSettings);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "127.0.0.1");
        settings.put("port", Integer.toString(port));
        settings.put("unix_socket_directories", "''");
        settings.put("max_connections", "200");
        settings.putAll(serverSettings);
        StringBuilder options = new StringBuilder();
        settings.forEach((k, v) -> options.append(" -c ").append(k).append('=').append(v));
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", clusterDir.toString(), "-l", logFile.toString(),
                "-o", options.toString().trim(), "-w", "-t", "120", "start"), 150);
        running = true;
        postmasterPid = readPostmasterPid();
        log.info("Embedded PostgreSQL listening on 127.0.0.1:{} (cluster {})", port, clusterDir);
    }

    private void createDatabaseIfMissing() {
        try (var c = java.sql.DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, password);
             var s = c.createStatement()) {
            try (var rs = s.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database " + DATABASE);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Cannot create the database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    private void run(List<String> command, int timeoutSeconds) {
        List<String> full = new ArrayList<>();
        if (asRoot) {
            full.addAll(List.of("unshare", "--user"));
        }
        full.addAll(command);
        try {
            Path out = Files.createTempFile("pg-cmd", ".log");
            try {
                Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("Timed out: " + String.join(" ", command));
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(command.get(0) + " failed (exit " + p.exitValue() + "): "
                            + Files.readString(out, StandardCharsets.UTF_8).strip() + tailOfServerLog());
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }

    private String tailOfServerLog() {
        try {
            if (!Files.exists(logFile)) {
                return "";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "\n--- " + logFile + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static Path extractBinaries(Path target) throws IOException {
        String arch = ArchUtils.normalize(System.getProperty("os.arch"));
        Path marker = target.resolve(".complete-" + arch);
        if (Files.exists(marker)) {
            return target.resolve("bin");
        }
        Path staging = Files.createTempDirectory(target.getParent(), "postgres-binaries-");
        try (InputStream archive = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", arch);
             TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path dest = staging.resolve(entry.getName()).normalize();
                if (!dest.startsWith(staging)) {
                    throw new IOException("Archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(dest);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(dest.getParent());
                    Files.createSymbolicLink(dest, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                    Set<PosixFilePermission> perms = (entry.getMode() & 0100) != 0
                            ? PosixFilePermissions.fromString("rwxr-xr-x")
                            : PosixFilePermissions.fromString("rw-r--r--");
                    Files.setPosixFilePermissions(dest, perms);
                }
            }
        }
        deleteRecursively(target);
        Files.move(staging, target);
        Files.createFile(marker);
        return target.resolve("bin");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String readOrCreatePassword(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = HexFormat.of().formatHex(bytes);
        Files.writeString(file, password, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return password;
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
