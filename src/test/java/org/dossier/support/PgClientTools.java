package org.dossier.support;

import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's own client tools run against a test server, as a thief with the owner's login would (ADR 0054): the
 * embedded PostgreSQL ships no pg_dump, so {@code bin/pg-client-tools} builds pg_dump, pg_basebackup and psql of the
 * server's version once per machine; the first use in a JVM runs it (its output shown), and a test that cannot have
 * them fails saying so. {@code DOSSIER_PG_CLIENT_TOOLS} names another bin directory of the same major version.
 */
public final class PgClientTools {

    private static Path bin;

    private final String host;
    private final String port;
    private final String user;
    private final String password;

    private PgClientTools(String host, String port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** The tools, logging in as the owner of {@code owner}'s pool (the embedded server's superuser in the tests). */
    public static PgClientTools as(DataSource owner) {
        bin(); // built here if need be, before anything is timed
        try {
            HikariDataSource pool = owner.unwrap(HikariDataSource.class);
            var url = java.net.URI.create(pool.getJdbcUrl().substring("jdbc:".length()));
            return new PgClientTools(url.getHost(), Integer.toString(url.getPort()), pool.getUsername(), pool.getPassword());
        } catch (SQLException e) {
            throw new IllegalStateException("The owner's pool is not a Hikari pool", e);
        }
    }

    /** {@code pg_dump} of {@code database}, plain SQL, schema and every row, into {@code file}. */
    public void dump(String database, Path file) {
        run(List.of(tool("pg_dump"), "-h", host, "-p", port, "-U", user, "-d", database, "--format=plain", "-f", file.toString()));
    }

    /** {@code pg_basebackup} of the whole cluster, plain (the data directory's files) with the WAL it needs, into {@code dir}. */
    public void baseBackup(Path dir) {
        run(List.of(tool("pg_basebackup"), "-h", host, "-p", port, "-U", user, "-D", dir.toString(), "--format=plain",
                "--wal-method=stream", "--checkpoint=fast", "--no-sync"));
    }

    /** Runs a plain SQL dump into {@code database} with psql (stopping at the first error). */
    public void restore(Path file, String database) {
        run(List.of(tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", user, "-d", database,
                "-f", file.toString()));
    }

    private void run(List<String> command) {
        try {
            Path out = Files.createTempFile("pg-client", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
                builder.environment().putAll(Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"));
                Process p = builder.start();
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("Timed out: " + command.get(0));
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError(command.get(0) + " failed (exit " + p.exitValue() + "): " + Files.readString(out));
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tool(String name) {
        return tool(bin(), name);
    }

    /** The tool's path in {@code bin}; a test without it fails, saying how to have it. */
    static String tool(Path bin, String name) {
        Path tool = bin.resolve(name);
        if (!Files.isExecutable(tool)) {
            throw new AssertionError(tool + " is missing: run bin/pg-client-tools (or set DOSSIER_PG_CLIENT_TOOLS to a bin"
                    + " directory holding pg_dump, pg_basebackup and psql of the embedded server's major version)");
        }
        return tool.toString();
    }

    /** The bin directory: DOSSIER_PG_CLIENT_TOOLS, or what bin/pg-client-tools prints (building the tools the first time). */
    static synchronized Path bin() {
        if (bin != null) {
            return bin;
        }
        String given = System.getenv("DOSSIER_PG_CLIENT_TOOLS");
        if (given != null && !given.isBlank()) {
            return bin = Path.of(given);
        }
        Path script = Path.of("bin", "pg-client-tools").toAbsolutePath();
        List<String> printed = new ArrayList<>();
        int exit;
        try {
            // The build's progress goes to this JVM's output (it takes minutes, once per machine); its last line is the path.
            Process p = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (var lines = p.inputReader(StandardCharsets.UTF_8)) {
                lines.lines().forEach(printed::add);
            }
            exit = p.waitFor();
        } catch (IOException e) {
            throw new AssertionError("Cannot run " + script + ": run bin/pg-client-tools (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (exit != 0 || printed.isEmpty()) {
            throw new AssertionError("pg_dump, pg_basebackup and psql of the embedded server's version are needed and " + script
                    + " failed (exit " + exit + ", output above): run bin/pg-client-tools and fix what it says");
        }
        return bin = Path.of(printed.get(printed.size() - 1).strip());
    }
}
