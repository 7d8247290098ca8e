package org.dossier.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Copies every signed checkpoint, and the server's start and stop, to places the database's users cannot rewrite: an
 * append-only file outside the data directory (one self-describing JSON line each, fsynced, each line chained to the one
 * before and signed), the syslog collector, and an optional HTTP witness. Verification compares the database with the
 * file (see {@link WitnessCheck}). Only the audit writer appends; nothing here ever blocks it for long: the syslog and HTTP
 * copies are queued and retried, and their failures are logged and alerted, never thrown. See docs/decisions/0020-audit-witness.md.
 */
@Component
class AuditWitness implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditWitness.class);
    static final String GENESIS_LINE = "0".repeat(64);
    static final String START = "start", CHECKPOINT = "checkpoint", STOP = "stop";

    private final Path file;
    private final String url;
    private final AuditSigner signer;
    private final SyslogForwarder syslog;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;
    private final String node;
    /** Witness lines carry wall-clock time even when the application runs on a simulated clock: the cadence is real. */
    private final Clock wall = Clock.systemUTC();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final BlockingQueue<String> posts = new LinkedBlockingQueue<>(10_000);
    private String previousLine;
    private FileChannel channel;
    private volatile boolean running;
    private Thread poster;

    AuditWitness(AuditFiles files, @Value("${dossier.audit.witness.url:}") String url, AuditSigner signer, SyslogForwarder syslog,
                 ApplicationEventPublisher events, JsonMapper json) {
        this.file = files.witnessFile();
        this.url = url.strip();
        this.signer = signer;
        this.syslog = syslog;
        this.events = events;
        this.json = json;
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "dossier";
        }
        this.node = host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /** What verification says it compared the database with. */
    String describe() {
        return "file " + file.toAbsolutePath().normalize();
    }

    Path file() {
        return file;
    }

    /** One line of the witness as read back: {@code linked} and {@code signed} say whether its chain and signature hold. */
    record Line(int number, String type, Instant at, String node, long seq, String hash, String signedAt, String signature,
                Duration interval, boolean linked, boolean signed) {
    }

    /** A signed checkpoint as the witness records it: the same fields and signature as the row of {@code audit_checkpoint}. */
    record Signed(long seq, String hash, String signedAt, String signature) {
    }

    /** A server run begins: the file is read afresh (its last line is what the next one chains to). */
    synchronized void start(Signed anchor, Duration interval) {
        closeQuietly();
        previousLine = null;
        Map<String, Object> fields = fields(START, anchor);
        fields.put("interval", interval.toString());
        append(fields);
    }

    void checkpoint(Signed checkpoint) {
        append(fields(CHECKPOINT, checkpoint));
    }

    /** The last head this server wrote, signed as a checkpoint: what a stopped server leaves for the offline verifier. */
    void stop(Signed head) {
        append(fields(STOP, head));
    }

    private Map<String, Object> fields(String type, Signed c) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("v", 1);
        fields.put("type", type);
        fields.put("at", wall.instant().toString());
        fields.put("node", node);
        fields.put("seq", c.seq());
        fields.put("entries", c.seq());
        fields.put("hash", c.hash());
        fields.put("signedAt", c.signedAt());
        fields.put("keyId", signer.keyId());
        fields.put("signature", c.signature());
        return fields;
    }

    /**
     * Appends one line to the file (fsynced before this returns) and hands it to the syslog and HTTP copies. A file that
     * cannot be written is alerted, not thrown: the database checkpoint stands, and verification will name the gap.
     */
    private synchronized void append(Map<String, Object> fields) {
        String line;
        try {
            if (channel == null) {
                open();
            }
            fields.put("prev", sha256(previousLine == null ? GENESIS_LINE : previousLine));
            String body = json.writeValueAsString(fields);
            line = body.substring(0, body.length() - 1) + ",\"lineSig\":\"" + signer.signBytes(lineBytes(body)) + "\"}";
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
            previousLine = line;
        } catch (IOException | RuntimeException e) {
            log.error("AUDIT WITNESS: cannot append to {}: {}", file, e.toString());
            events.publishEvent(new AuditAlarm(AuditAlarm.Kind.WITNESS_UNAVAILABLE, wall.instant(),
                    "the witness file " + file + " cannot be written: " + e.getMessage()));
            closeQuietly();
            return;
        }
        syslog.witness(line);
        if (!url.isEmpty() && !posts.offer(line)) {
            log.error("AUDIT WITNESS: HTTP witness {} is 10,000 lines behind; dropping the oldest", url);
            posts.poll();
            posts.offer(line);
        }
    }

    private void open() throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                previousLine = lines.filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(null);
            }
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Every line of the file, in order, each checked against the line before it and its signature. */
    List<Line> read() throws IOException {
        List<Line> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        String previous = null;
        int number = 0;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (raw.isBlank()) {
                continue;
            }
            lines.add(parse(number, raw, previous));
            previous = raw;
        }
        return lines;
    }

    private Line parse(int number, String raw, String previous) {
        int sig = raw.lastIndexOf(",\"lineSig\":\"");
        try {
            JsonNode n = json.readTree(raw);
            boolean signed = sig > 0 && AuditSigner.verifyBytes(signer.publicKeyBase64(), lineBytes(raw.substring(0, sig) + "}"),
                    n.path("lineSig").asString());
            boolean linked = sha256(previous == null ? GENESIS_LINE : previous).equals(n.path("prev").asString());
            String interval = n.path("interval").asString(null);
            return new Line(number, n.path("type").asString(), Instant.parse(n.path("at").asString()), n.path("node").asString(),
                    n.path("seq").asLong(), n.path("hash").asString(), n.path("signedAt").asString(), n.path("signature").asString(),
                    interval == null ? null : Duration.parse(interval), linked, signed);
        } catch (RuntimeException e) {
            return new Line(number, "unreadable", null, null, -1, null, null, null, null, false, false);
        }
    }

    private static byte[] lineBytes(String body) {
        return ("dossier-audit-witness|" + body).getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void start() {
        running = true;
        if (url.isEmpty()) {
            return;
        }
        poster = new Thread(this::postLoop, "audit-witness-http");
        poster.setDaemon(true);
        poster.start();
        log.info("Posting audit checkpoints to the HTTP witness {}", url);
    }

    /** After the audit writer (a higher phase stops first), so that its stop line is still handed over. */
    @Override
    public int getPhase() {
        return AuditTrail.PHASE - 1;
    }

    @Override
    public void stop() {
        running = false;
        if (poster != null) {
            // Give the last lines (the stop marker) a moment to leave, without holding the shutdown long.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!posts.isEmpty() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            poster.interrupt();
        }
        synchronized (this) {
            closeQuietly();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Posts each line in order; a line that fails is retried with a growing delay, and the first failure of an outage is alerted. */
    private void postLoop() {
        long backoff = 1_000;
        boolean alerted = false;
        String line = null;
        while (running || !posts.isEmpty()) {
            try {
                if (line == null) {
                    line = posts.poll(1, TimeUnit.SECONDS);
                    if (line == null) {
                        continue;
                    }
                }
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(line)).build();
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 300) {
                    throw new IOException("answered " + status);
                }
                line = null;
                backoff = 1_000;
                if (alerted) {
                    log.info("HTTP witness {} reachable again", url);
                    alerted = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("HTTP witness {} failed ({}); retrying in {} ms", url, e.getMessage(), backoff);
                if (!alerted) {
                    alerted = true;
                    events.publishEvent(new AuditAlarm(AuditAlarm.Kind.WITNESS_UNAVAILABLE, wall.instant(),
                            "the HTTP witness " + url + " failed: " + e.getMessage()));
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 60_000);
            }
        }
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // reopened on the next append
            }
            channel = null;
        }
    }
}
