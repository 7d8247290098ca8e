package org.dossier.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;

import java.util.Arrays;
import java.util.List;

/**
 * A real SMTP server (GreenMail) in the test JVM, started once: the test servers send their mail to it as a hospital's
 * server sends to its relay, and the tests read what arrived.
 */
public final class TestMailbox {

    private static GreenMail server;
    private static int port;

    private TestMailbox() {
    }

    /** The SMTP port, the server started on first use. */
    public static synchronized int port() {
        if (server == null) {
            server = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
            server.start();
            port = server.getSmtp().getPort();
        }
        return port;
    }

    /** The messages received for this address, oldest first. */
    public static List<MimeMessage> to(String address) {
        port();
        return Arrays.stream(server.getReceivedMessages()).filter(m -> {
            try {
                return Arrays.stream(m.getAllRecipients()).anyMatch(r -> r.toString().equalsIgnoreCase(address));
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** Stops taking mail, as a relay that is down; {@link #resume()} takes it again. */
    public static synchronized void stop() {
        port();
        server.stop();
    }

    public static synchronized void resume() {
        server = new GreenMail(ServerSetupTest.SMTP.port(port));
        server.start();
    }
}
