package org.dossier.identity;

import org.dossier.organization.StaffMember;
import org.dossier.organization.StaffStatus;
import org.dossier.platform.AccountConnections;
import org.dossier.platform.database.EmbeddedPostgresServer;
import org.dossier.support.TestDataDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node whose listening connection went silent — the database's host crashed or failed over to the same address, a
 * firewall or load balancer dropped the idle flow — gets no error: the connection only ever reads, so nothing tells it
 * the other end is gone. It must not go on trusting what it remembers as if it still heard every change (ADR 0037:
 * "nothing remembered while nothing can be heard"). A real PostgreSQL behind a TCP relay that can go silent.
 */
class DeafListenerTest {

    private static EmbeddedPostgresServer database;
    private static Relay relay;

    @BeforeAll
    static void start() throws IOException {
        database = EmbeddedPostgresServer.start(TestDataDirs.fresh("deaf-listener-db"), Map.of("shared_buffers", "16MB"));
        relay = new Relay(database.port());
    }

    @AfterAll
    static void stop() throws IOException {
        if (relay != null) {
            relay.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static Optional<ApiTokens.Live> live(long staffId) {
        Instant now = Instant.now();
        StaffMember account = new StaffMember(staffId, "user" + staffId, "User " + staffId, null, StaffStatus.ACTIVE, Set.of(),
                Set.of(1), Set.of(), 1, now, now);
        return Optional.of(new ApiTokens.Live(new ApiTokens.TokenInfo(staffId * 10, staffId, now, now.plusSeconds(3600), null,
                null, null), account));
    }

    @Test
    void aListenerThatWentSilentIsNotTrusted() throws Exception {
        PGSimpleDataSource through = new PGSimpleDataSource();
        through.setUrl("jdbc:postgresql://127.0.0.1:" + relay.port() + "/" + EmbeddedPostgresServer.DATABASE);
        through.setUser(database.user());
        through.setPassword(database.password());
        try (AccountConnections connections = new AccountConnections(through)) {
            LiveTokens tokens = new LiveTokens(connections, Clock.systemUTC(), Duration.ofSeconds(30), 100);
            assertThat(tokens.awaitHeard(Duration.ofSeconds(10))).as("listening").isTrue();
            AtomicInteger reads = new AtomicInteger();
            tokens.get("stolen", () -> {
                reads.incrementAndGet();
                return live(7);
            });
            tokens.get("stolen", () -> {
                reads.incrementAndGet();
                return live(7);
            });
            assertThat(reads).as("remembered").hasValue(1);

            // The database's host goes away without a word to the listening connection; new connections work again.
            relay.silenceAll();
            // The token is revoked on another node: its notification goes to a session that no longer exists.
            try (Connection direct = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                 Statement s = direct.createStatement()) {
                s.execute("select pg_notify('dossier_account', '7')");
            }
            Thread.sleep(6_000);

            Optional<ApiTokens.Live> after = tokens.get("stolen", () -> {
                reads.incrementAndGet();
                return Optional.empty(); // what the database says now: revoked
            });
            assertThat(after).as("6 s after its listener went deaf the node still answers from memory for a revoked token")
                    .isEmpty();
            assertThat(tokens.awaitHeard(Duration.ofSeconds(10))).as("listening again on a new connection").isTrue();
        }
    }

    /** A TCP relay to PostgreSQL whose current connections can be silenced: nothing more passes, nothing is closed. */
    static final class Relay implements AutoCloseable {

        private final ServerSocket server;
        private final int target;
        private final List<AtomicBoolean> open = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Relay(int target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(this::accept, "relay-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(upstream);
                    AtomicBoolean passing = new AtomicBoolean(true);
                    open.add(passing);
                    pump(client.getInputStream(), upstream.getOutputStream(), passing);
                    pump(upstream.getInputStream(), client.getOutputStream(), passing);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pump(InputStream in, OutputStream out, AtomicBoolean passing) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        if (passing.get()) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // the relay closes
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        /** Every connection open now stops passing anything, in both directions, and is left open. */
        void silenceAll() {
            open.forEach(p -> p.set(false));
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
