package org.dossier.audit;

import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Every committed entry reaches an external collector as RFC 5424 syslog over TCP, here a listener of the test. */
class SyslogForwardingTest extends IntegrationTest {

    private static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    private static final ServerSocket COLLECTOR = listen();

    @DynamicPropertySource
    static void collector(DynamicPropertyRegistry registry) {
        registry.add("dossier.audit.syslog.host", () -> "127.0.0.1");
        registry.add("dossier.audit.syslog.port", COLLECTOR::getLocalPort);
        registry.add("dossier.demo.patients", () -> "60");
    }

    @AfterAll
    static void close() throws IOException {
        COLLECTOR.close();
    }

    @Test
    void aChartReadArrivesAtTheCollectorAsAnRfc5424MessageWithItsChainHash() throws Exception {
        long patient = fixtures().patientInCare();
        as("physician").get("/api/patients/" + patient + "/chart");
        String hash = jdbc.sql("select hash from audit_entry where patient_id = ? and actor_username = 'physician' order by seq desc limit 1")
                .param(patient).query(String.class).single();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String message = null;
        while (message == null && System.nanoTime() < deadline) {
            message = RECEIVED.stream().filter(m -> m.contains("hash=\"" + hash + "\"")).findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertThat(message).as("received: " + RECEIVED.size() + " messages").isNotNull();
        assertThat(message).matches("<10[89]>1 \\d{4}-\\d\\d-\\d\\dT[^ ]+Z \\S+ dossier - read \\[dossier@32473 .*\\] ALLOW read patient "
                + patient + " by physician");
        assertThat(message).contains("patient=\"" + patient + "\"", "reason=\"CARE_TEAM\"", "decision=\"ALLOW\"", "purpose=\"TREAT\"");
    }

    /** A collector that reads octet-counted frames ("LEN SP MSG") from every connection. */
    private static ServerSocket listen() {
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
                RECEIVED.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the server closed the connection
        }
    }
}
