import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-loop load generator (issue 21): sends the requests of a file (bench/wrk/replay.lua's format, one per line:
 * METHOD, path, body, tab-separated) at a fixed rate whatever the answers' speed, and measures each latency from the
 * moment the request was due, so that a stall is counted for every request it delayed (no coordinated omission,
 * unlike a closed-loop client such as wrk).
 * Usage: java OpenLoop.java BASE_URL REQUEST_FILE TOKEN RATE_PER_SECOND SECONDS [OFFSET]; prints one RESULT line (JSON).
 */
public class OpenLoop {
  public static void main(String[] args) throws Exception {
    String base = args[0];
    List<String> lines = Files.readAllLines(Path.of(args[1]));
    String token = args[2];
    double rate = Double.parseDouble(args[3]);
    int seconds = Integer.parseInt(args[4]);
    int offset = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    int total = (int) Math.round(rate * seconds);
    long[] latencies = new long[total];
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(total);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(10)).build();
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    long periodNanos = (long) (1e9 / rate);
    long start = System.nanoTime() + 50_000_000L;
    for (int i = 0; i < total; i++) {
      final int n = i;
      long due = start + n * periodNanos;
      scheduler.schedule(() -> send(client, base, lines.get((offset + n) % lines.size()), token, due, n, latencies,
          errors, done), due - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
    boolean finished = done.await(seconds + 60L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    scheduler.shutdownNow();
    long[] sorted = Arrays.stream(latencies).filter(l -> l > 0).sorted().toArray();
    System.out.printf("RESULT {\"requests\":%d,\"offeredPerSecond\":%.1f,\"perSecond\":%.1f,\"p50ms\":%.2f,\"p90ms\":%.2f,"
            + "\"p99ms\":%.2f,\"maxms\":%.2f,\"errors\":%d,\"unfinished\":%d}%n", sorted.length, rate,
        sorted.length / elapsed, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, errors.get(), finished ? 0 : done.getCount());
    System.exit(0);
  }

  static void send(HttpClient client, String base, String line, String token, long due, int n, long[] latencies,
      AtomicInteger errors, CountDownLatch done) {
    String[] parts = line.split("\t", -1);
    String body = parts.length > 2 ? parts[2] : "";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + parts[1])).timeout(Duration.ofSeconds(60))
        .header("Accept", "application/json");
    if (!token.isEmpty() && !token.equals("-")) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body.isEmpty()) {
      request.method(parts[0], HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", parts[1].startsWith("/fhir") ? "application/fhir+json" : "application/json")
          .method(parts[0], HttpRequest.BodyPublishers.ofString(body));
    }
    client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
      latencies[n] = Math.max(1, System.nanoTime() - due);
      if (failure != null || response.statusCode() >= 400) {
        errors.incrementAndGet();
      }
      done.countDown();
    });
  }

  static double pct(long[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
  }
}
