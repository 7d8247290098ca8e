package org.dossier.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies every committed audit entry to an external collector as RFC 5424 syslog over TCP (octet-counted
 * framing, RFC 6587), when {@code dossier.audit.syslog.host} is set: a SIEM then holds a copy the database's
 * administrators cannot rewrite. Forwarding never slows or fails a request: entries wait in a bounded queue,
 * the connection is retried, and what overflows is counted and logged (the trail itself stays complete).
 */
@Component
class SyslogForwarder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SyslogForwarder.class);
    /** IANA "example" enterprise number, as RFC 5424 uses; a deployment may register its own. */
    static final String SD_ID = "dossier@32473";
    /** Facility 13: log audit. */
    private static final int FACILITY = 13;

    private final String host;
    private final int port;
    private final String hostname;
    /** Audit entries, and witness lines (already JSON text) of the signed checkpoints. */
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(100_000);
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private Thread sender;

    SyslogForwarder(@Value("${dossier.audit.syslog.host:}") String host, @Value("${dossier.audit.syslog.port:6514}") int port) {
        this.host = host;
        this.port = port;
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            name = "dossier";
        }
        this.hostname = name.replaceAll("[^\\x21-\\x7e]", "-");
    }

    boolean enabled() {
        return !host.isBlank();
    }

    void forward(List<AuditEntry> entries) {
        if (!enabled()) {
            return;
        }
        for (AuditEntry e : entries) {
            if (!queue.offer(e)) {
                if (dropped.incrementAndGet() % 1000 == 1) {
                    log.error("Syslog forwarding is behind: {} audit entries not forwarded so far (they stay in the trail)", dropped.get());
                }
            }
        }
    }

    /**
     * A witness line (a signed checkpoint, or the server's start or stop) for the collector, which keeps it where the
     * database cannot reach: verification compares the database with the same lines in the witness file.
     */
    void witness(String line) {
        if (enabled() && !queue.offer(line)) {
            log.error("Syslog forwarding is behind: a witness line was not forwarded (it stays in the witness file)");
        }
    }

    @Override
    public void start() {
        running = true;
        if (!enabled()) {
            return;
        }
        sender = new Thread(this::sendLoop, "audit-syslog");
        sender.setDaemon(true);
        sender.start();
        log.info("Forwarding audit entries to syslog collector {}:{} (TCP, RFC 5424)", host, port);
    }

    /** After the audit writer, which forwards its last entries here. */
    @Override
    public int getPhase() {
        return AuditTrail.PHASE - 1;
    }

    @Override
    public void stop() {
        running = false;
        if (sender != null) {
            sender.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void sendLoop() {
        Socket socket = null;
        Object pending = null;
        long backoff = 500;
        while (running) {
            try {
                if (pending == null) {
                    pending = queue.poll(1, TimeUnit.SECONDS);
                    if (pending == null) {
                        continue;
                    }
                }
                if (socket == null || socket.isClosed()) {
                    socket = new Socket();
                    socket.connect(new InetSocketAddress(host, port), 5_000);
                    backoff = 500;
                }
                OutputStream out = socket.getOutputStream();
                List<Object> burst = new ArrayList<>();
                burst.add(pending);
                queue.drainTo(burst, 999);
                StringBuilder frames = new StringBuilder();
                for (Object e : burst) {
                    byte[] message = (e instanceof AuditEntry entry ? format(entry) : formatWitness((String) e)).getBytes(StandardCharsets.UTF_8);
                    frames.append(message.length).append(' ').append(new String(message, StandardCharsets.UTF_8));
                }
                out.write(frames.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                pending = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException e) {
                log.warn("Syslog collector {}:{} unreachable ({}); retrying", host, port, e.getMessage());
                closeQuietly(socket);
                socket = null;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        closeQuietly(socket);
    }

    /** One RFC 5424 message: header, one structured-data element with the entry's fields, and a short text. */
    String format(AuditEntry e) {
        AuditRecord r = e.record();
        int severity = r.decision() == AuditRecord.Decision.DENY ? 4 : 5;
        String timestamp = DateTimeFormatter.ISO_INSTANT.format(r.recordedAt().truncatedTo(ChronoUnit.MICROS));
        StringBuilder sd = new StringBuilder("[").append(SD_ID);
        param(sd, "seq", Long.toString(e.seq()));
        param(sd, "hash", e.hash());
        param(sd, "decision", r.decision() == null ? null : r.decision().name());
        param(sd, "action", r.action());
        param(sd, "actorId", r.actorId() == null ? null : r.actorId().toString());
        param(sd, "actor", r.actorUsername());
        param(sd, "roles", r.actorRoles());
        param(sd, "facility", r.facilityId() == null ? null : r.facilityId().toString());
        param(sd, "patient", r.patientId() == null ? null : r.patientId().toString());
        param(sd, "resource", r.resourceType() == null ? null : r.resourceType() + (r.resourceId() == null ? "" : "/" + r.resourceId()));
        param(sd, "sections", r.sections());
        param(sd, "reason", r.reasonCode());
        param(sd, "purpose", r.purpose());
        param(sd, "session", r.sessionId());
        param(sd, "source", r.sourceAddress());
        param(sd, "requestId", r.requestId());
        sd.append(']');
        String msgId = r.action() == null ? "-" : r.action().replaceAll("[^\\x21-\\x7e]", "_");
        if (msgId.length() > 32) {
            msgId = msgId.substring(0, 32);
        }
        String text = r.decision() + " " + r.action() + (r.patientId() == null ? "" : " patient " + r.patientId())
                + (r.actorUsername() == null ? "" : " by " + r.actorUsername());
        return "<" + (FACILITY * 8 + severity) + ">1 " + timestamp + " " + hostname + " dossier - " + msgId + " " + sd + " " + text;
    }

    /** A witness line as an RFC 5424 message: MSGID "checkpoint", and the JSON line itself as the message, verbatim. */
    String formatWitness(String line) {
        String timestamp = DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.now().truncatedTo(ChronoUnit.MICROS));
        return "<" + (FACILITY * 8 + 5) + ">1 " + timestamp + " " + hostname + " dossier - checkpoint - " + line;
    }

    private static void param(StringBuilder sd, String name, String value) {
        if (value == null) {
            return;
        }
        // RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash.
        sd.append(' ').append(name).append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]"))
                .append('"');
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do with a broken connection
            }
        }
    }
}
