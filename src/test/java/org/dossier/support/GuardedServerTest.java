package org.dossier.support;

import com.sun.net.httpserver.HttpServer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A second test server, with the guard at its real thresholds and the external deliveries pointed at
 * listeners of the test: a syslog collector (TCP, octet-counted frames) and an alert webhook (HTTP).
 * Tests here use fresh accounts: a freeze must not stop the others.
 */
public abstract class GuardedServerTest extends IntegrationTest {

    /** RFC 5424 messages received by the collector. */
    protected static final List<String> SYSLOG = new CopyOnWriteArrayList<>();
    /** Bodies posted to the webhook. */
    protected static final List<String> WEBHOOK = new CopyOnWriteArrayList<>();
    private static final ServerSocket COLLECTOR = collector();
    private static final HttpServer HOOK = webhook();

    @org.springframework.beans.factory.annotation.Autowired
    private org.dossier.identity.CredentialService credentials;

    /** A fresh account of facility 1 with the demo credentials, in one unit (by code) or none. */
    protected String newAccount(String role, String unitCode) {
        return Accounts.newStaff(as("admin"), credentials, role, 1, unitCode == null ? null : fixtures().unit(1, unitCode));
    }

    /** A client holding one token of the account, as a thief holding a stolen one would: it never signs in again. */
    protected Api stolen(String username) {
        return anonymous().withBearer(Api.fetchToken(port, username, org.dossier.demo.DemoAccounts.PASSWORD));
    }

    /** The account's status now (ACTIVE, FROZEN, …). */
    protected String status(String username) {
        return jdbc.sql("select status from staff where username = ?").param(username).query(String.class).single();
    }

    @DynamicPropertySource
    static void guarded(DynamicPropertyRegistry registry) {
        registry.add("dossier.audit.syslog.host", () -> "127.0.0.1");
        registry.add("dossier.audit.syslog.port", COLLECTOR::getLocalPort);
        registry.add("dossier.guard.webhook-url", () -> "http://127.0.0.1:" + HOOK.getAddress().getPort() + "/alerts");
        registry.add("dossier.demo.patients", () -> "300");
        registry.add("dossier.guard.threshold-scale", () -> "1");
    }

    private static HttpServer webhook() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/alerts", exchange -> {
                WEBHOOK.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ServerSocket collector() {
        try {
            ServerSocket server = new ServerSocket(0);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread reader = new Thread(() -> read(s));
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void read(Socket s) {
        try (InputStream in = s.getInputStream()) {
            while (true) {
                int length = 0;
                int c;
                while ((c = in.read()) != ' ') {
                    if (c < 0) {
                        return;
                    }
                    length = length * 10 + (c - '0');
                }
                SYSLOG.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the server closed the connection
        }
    }
}
