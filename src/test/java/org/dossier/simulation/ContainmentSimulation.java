package org.dossier.simulation;

import org.dossier.DossierApplication;
import org.dossier.demo.DemoAccounts;
import org.dossier.identity.TotpService;
import org.dossier.platform.SimulatedClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The containment simulations of docs/security/containment.md, run by {@code bin/simulate}: a server with the
 * demo hospital and a simulated clock in this JVM, attacked over HTTP by every strategy with stolen demo
 * clinicians' tokens, then worked by a thousand clinician-days of ordinary work. Not part of the test suite.
 */
@Tag("simulation")
class ContainmentSimulation {

    private static final int PATIENTS = Integer.getInteger("sim.patients", 20_000);
    private static final Path RESULTS = Path.of("target/simulation").toAbsolutePath();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ConfigurableApplicationContext app;
    private static SimulatedClock clock;
    private static JdbcClient db;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        Path dataDir = RESULTS.resolve("data-" + System.currentTimeMillis());
        Files.createDirectories(dataDir);
        app = new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0", "--dossier.data-dir=" + dataDir,
                "--dossier.demo.patients=" + PATIENTS, "--dossier.simulation.clock=true", "--logging.level.root=warn",
                "--logging.level.dossier.security=warn", "--dossier.demo.clinic-days-behind=2", "--dossier.demo.clinic-days-ahead=12");
        clock = (SimulatedClock) app.getBean(Clock.class);
        db = JdbcClient.create(app.getBean("ownerDataSource", DataSource.class));
        base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    // ------------------------------------------------------------------ the client of a stolen (or honest) account

    record Response(int status, JsonNode json) {
        String type() {
            return json != null && json.has("type") ? json.get("type").asString() : "";
        }

        boolean frozen() {
            return status == 401 || status == 403 && (type().endsWith("account-frozen")
                    || json != null && json.toString().contains("has been frozen"));
        }

        boolean stepUp() {
            return status == 403 && type().endsWith("step-up-required");
        }
    }

    /** An account's API client; tokens are fetched with the account's password and authenticator at simulated time. */
    static final class Client {
        final String username;
        private volatile String token;
        private Instant tokenAt = Instant.MIN;
        final Set<Long> exposed = ConcurrentHashMap.newKeySet();

        Client(String username) {
            this.username = username;
        }

        synchronized String token() {
            if (token == null || Duration.between(tokenAt, clock.instant()).toMinutes() >= 55) {
                token = fetchToken();
                tokenAt = clock.instant();
            }
            return token;
        }

        /** A second token of the same account (a thief running several in parallel). */
        Client another() {
            Client c = new Client(username);
            c.token = fetchToken();
            c.tokenAt = clock.instant();
            return c;
        }

        private String fetchToken() {
            String secret = DemoAccounts.totpSecret(username);
            for (int attempt = 0; attempt < 6; attempt++) {
                Instant at = clock.instant().plusSeconds(attempt % 2 == 1 ? 30 : 0);
                Response r = send(HttpRequest.newBuilder(URI.create(base + "/api/auth/token")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", username,
                                "password", DemoAccounts.PASSWORD, "code", TotpService.codeAt(secret, at))))));
                if (r.status() == 201) {
                    return r.json().get("token").asString();
                }
                if (r.status() == 401 && attempt >= 1) {
                    clock.advance(Duration.ofSeconds(31)); // the code of this step was used: the next one
                }
            }
            return "refused";
        }

        Response get(String path) {
            Response r = send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token()).GET());
            count(path, r);
            return r;
        }

        Response post(String path, Object body) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        }

        /** Patients whose record (identity or more) this response carried. */
        private void count(String path, Response r) {
            if (r.status() != 200 || r.json() == null) {
                return;
            }
            if ("Bundle".equals(r.json().path("resourceType").asString(""))) {
                r.json().path("entry").forEach(e -> exposed.add(Long.parseLong(e.at("/resource/id").asString())));
            } else if (r.json().has("results")) {
                r.json().get("results").forEach(p -> exposed.add(p.get("id").asLong()));
            } else if (path.endsWith("/chart")) {
                exposed.add(r.json().at("/patient/id").asLong());
            } else if (path.matches("/api/patients/\\d+")) {
                exposed.add(r.json().get("id").asLong());
            }
        }

        private static Response send(HttpRequest.Builder request) {
            try {
                HttpResponse<String> r = HTTP.send(request.header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                JsonNode json = r.body() == null || r.body().isBlank() || !r.body().startsWith("{") && !r.body().startsWith("[") ? null
                        : JSON.readTree(r.body());
                return new Response(r.statusCode(), json);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------ attacks

    /** What one strategy got: patients exposed before the freeze, requests, and the time from the first anomalous request. */
    record Outcome(String strategy, String account, int patientsExposed, int requests, boolean frozen, long millisToFreeze,
                   String simulatedTimeToFreeze, String note) {
    }

    private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger victimIndex = new AtomicInteger();

    /** A demo clinician not used yet by another strategy (each strategy steals a different account). */
    private String victim(String role) {
        List<String> all = db.sql("""
                        select s.username from staff s join staff_role r on r.staff_id = s.id and r.role = ?
                          join staff_facility f on f.staff_id = s.id and f.facility_id = 1
                         where s.status = 'ACTIVE' and s.username not in ('physician', 'nurse', 'er.physician') order by s.id""")
                .param(role).query(String.class).list();
        return all.get(victimIndex.getAndIncrement() % all.size());
    }

    private List<String> ippsOfFacility(int count, long seed) {
        return db.sql("select ipp from patient where facility_id = 1 order by md5(id::text || ?) limit ?").param(seed).param(count)
                .query(String.class).list();
    }

    private Outcome run(String strategy, Client thief, int maxRequests, java.util.function.IntFunction<Response> step, String note) {
        long start = System.nanoTime();
        Instant simStart = clock.instant();
        int requests = 0;
        boolean frozen = false;
        for (int i = 0; i < maxRequests && !frozen; i++) {
            Response r = step.apply(i);
            requests++;
            frozen = r.frozen();
        }
        Outcome o = new Outcome(strategy, thief.username, thief.exposed.size(), requests, frozen,
                frozen ? (System.nanoTime() - start) / 1_000_000 : -1, Duration.between(simStart, clock.instant()).toString(), note);
        outcomes.add(o);
        System.out.println("SIMULATION " + o);
        return o;
    }

    private static final String[] PREFIXES = {"mar", "ber", "dub", "tho", "rob", "ric", "pet", "dur", "ler", "mor", "lau", "sim",
            "mic", "leb", "gar", "dav", "rou", "mer", "fou", "gir", "bon", "lam", "fon", "rol", "che", "gau", "mas", "bla", "gui", "lef"};

    @Test
    void attacks() throws Exception {
        // 1. Identifier walk, with a stolen physician token.
        Client walker = new Client(victim("PHYSICIAN"));
        long first = db.sql("select min(id) from patient").query(Long.class).single();
        run("identifier walk", walker, 2_000, i -> walker.get("/api/patients/" + (first + i)), "GET /api/patients/{id} for consecutive ids");

        // 2. Name-prefix sweep.
        Client sweeper = new Client(victim("PHYSICIAN"));
        run("name-prefix sweep", sweeper, 2_000, i -> sweeper.get("/api/patients?name=" + PREFIXES[i % PREFIXES.length] + "&given="
                + (char) ('a' + (i / PREFIXES.length) % 26)), "3-letter family-name prefixes × given-name initials");

        // 3. Birth-date sweep.
        Client dates = new Client(victim("NURSE"));
        LocalDate day0 = LocalDate.of(1950, 1, 1);
        run("birth-date sweep", dates, 5_000, i -> dates.get("/api/patients?name=" + PREFIXES[i % 5] + "&birthDate=" + day0.plusDays(i / 5)),
                "common prefixes × every birth date from 1950");

        // 4. REST search pagination: one name, every two-letter given-name prefix.
        Client pager = new Client(victim("NURSE"));
        run("REST search pagination", pager, 2_000, i -> pager.get("/api/patients?name=mar&given=" + (char) ('a' + i / 26 % 26)
                + (char) ('a' + i % 26)), "the 20-result pages of one broad query, walked by refining the given name");

        // 5. FHIR search with a large _count, then the next pages.
        Client fhir = new Client(victim("PHYSICIAN"));
        run("FHIR search with large _count and paging", fhir, 2_000, i -> fhir.get("/fhir/Patient?family=" + PREFIXES[i % PREFIXES.length]
                + "&given=" + (char) ('a' + (i / PREFIXES.length) % 26) + "&_count=1000&_offset=" + (i / PREFIXES.length / 26) * 20),
                "Patient?family=…&given=…&_count=1000 and following pages: the server caps at 20 and the guard counts them all");

        // 6. Slow drip: one exact-IPP lookup every 9 simulated minutes (under 8 an hour), for up to a simulated week.
        Client drip = new Client(victim("PHYSICIAN"));
        List<String> dripIpps = ippsOfFacility(2_000, 6);
        run("slow drip (simulated week)", drip, 7 * 24 * 60 / 9, i -> {
            clock.advance(Duration.ofMinutes(9));
            return drip.get("/api/patients?ipp=" + dripIpps.get(i));
        }, "one patient every 9 simulated minutes, below the hourly step-up, day and night, with fresh tokens (password + TOTP stolen)");

        // 7. Mixing legitimate patients with scraping.
        Client mixer = new Client(victim("NURSE"));
        List<Long> ward = new ArrayList<>();
        Response census = mixer.get("/api/inpatients");
        if (census.status() == 200) {
            census.json().forEach(p -> ward.add(p.get("patientId").asLong()));
        }
        List<String> mixIpps = ippsOfFacility(2_000, 7);
        run("legitimate work mixed with scraping", mixer, 2_000, i -> i % 2 == 0 && !ward.isEmpty()
                ? mixer.get("/api/patients/" + ward.get(i / 2 % ward.size()) + "/chart")
                : mixer.get("/api/patients?ipp=" + mixIpps.get(i)), "the nurse's own inpatients' charts, alternating with unrelated patients by IPP");

        // 8. Several tokens of one account in parallel.
        Client parallel = new Client(victim("PHYSICIAN"));
        List<Client> tokens = List.of(parallel, parallel.another(), parallel.another(), parallel.another());
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(tokens.size());
        AtomicLong frozenAt = new AtomicLong(-1);
        AtomicInteger requests = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < tokens.size(); t++) {
            Client c = tokens.get(t);
            int offset = t;
            running.add(pool.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    Response r = c.get("/api/patients?name=" + PREFIXES[(i * 4 + offset) % PREFIXES.length] + "&given=" + (char) ('a' + i % 26));
                    requests.incrementAndGet();
                    if (r.frozen()) {
                        frozenAt.compareAndSet(-1, (System.nanoTime() - start) / 1_000_000);
                        return;
                    }
                }
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        Set<Long> union = new java.util.HashSet<>();
        tokens.forEach(c -> union.addAll(c.exposed));
        outcomes.add(new Outcome("several tokens of one account in parallel", parallel.username, union.size(), requests.get(),
                frozenAt.get() >= 0, frozenAt.get(), "-", "4 tokens sweeping names at once; the freeze revokes all of them"));

        // 9. A break-the-glass reason on every request.
        Client glass = new Client(victim("PHYSICIAN"));
        List<Long> strangers = db.sql("select id from patient where facility_id = 1 order by md5(id::text) limit 200").query(Long.class).list();
        run("break-the-glass on every request", glass, 400, i -> {
            long p = strangers.get(i / 2);
            return i % 2 == 0 ? glass.post("/api/patients/" + p + "/break-glass", Map.of("reason", "EMERGENCY_CARE",
                    "justification", "urgent review of this patient")) : glass.get("/api/patients/" + p + "/chart");
        }, "break the glass, then open the chart, patient after patient");

        // 10. Several stolen accounts of one unit at once.
        String unit = db.sql("""
                select u.code from care_unit u join staff_unit su on su.unit_id = u.id join staff_role r on r.staff_id = su.staff_id
                 where r.role = 'NURSE' and u.facility_id = 1 group by u.code having count(*) >= 4 order by count(*) desc limit 1""")
                .query(String.class).single();
        List<String> nurses = db.sql("""
                select s.username from staff s join staff_unit su on su.staff_id = s.id join care_unit u on u.id = su.unit_id and u.code = ?
                  join staff_role r on r.staff_id = s.id and r.role = 'NURSE' where s.status = 'ACTIVE' and s.username <> 'nurse'
                 order by s.id desc limit 3""").param(unit).query(String.class).list();
        ExecutorService team = Executors.newFixedThreadPool(nurses.size());
        List<Future<Outcome>> unitRuns = new ArrayList<>();
        for (String nurse : nurses) {
            Client c = new Client(nurse);
            unitRuns.add(team.submit(() -> run("several accounts of one unit (" + unit + ")", c, 2_000,
                    i -> c.get("/api/patients?name=" + PREFIXES[(i + nurse.length()) % PREFIXES.length] + "&given=" + (char) ('a' + i % 26)),
                    "3 nurses of the unit sweeping names at the same time")));
        }
        for (Future<Outcome> f : unitRuns) {
            f.get();
        }
        team.shutdown();

        // Also: a stolen front-desk token walking identifiers, which the front desk may read one by one.
        Client desk = new Client(victim("FRONT_DESK"));
        long deskFirst = db.sql("select min(id) from patient where facility_id = 1 and id > 100").query(Long.class).single();
        run("identifier walk (front desk)", desk, 2_000, i -> desk.get("/api/patients/" + (deskFirst + i)),
                "the front desk reads any patient of its facility: the walk itself is the signal");

        write("attacks.json", Map.of("patients", PATIENTS, "outcomes", outcomes, "measuredAt", Instant.now().toString()));
    }

    // ------------------------------------------------------------------ a normal day, a thousand times

    @Test
    void normalDays() throws Exception {
        int days = Integer.getInteger("sim.days", 10);
        int cliniciansPerDay = Integer.getInteger("sim.clinicians", 100);
        ZoneId zone = ZoneId.of("Europe/Paris");
        // Clinicians with a unit (ward or clinic) in facility 1, and the front desk and billing of facility 1.
        List<String> clinicians = db.sql("""
                select distinct s.username from staff s join staff_role r on r.staff_id = s.id and r.role in ('PHYSICIAN', 'NURSE')
                  join staff_unit su on su.staff_id = s.id where s.status = 'ACTIVE' order by s.username limit ?""")
                .param(cliniciansPerDay).query(String.class).list();
        List<String> desks = db.sql("""
                select s.username from staff s join staff_role r on r.staff_id = s.id and r.role in ('FRONT_DESK', 'BILLING')
                 where s.status = 'ACTIVE' order by s.id limit 10""").query(String.class).list();
        SplittableRandom random = new SplittableRandom(2026);
        AtomicInteger stepUps = new AtomicInteger();
        AtomicInteger freezes = new AtomicInteger();
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger clinicianDays = new AtomicInteger();
        Map<String, Integer> frozenAccounts = new ConcurrentHashMap<>();
        Instant simulationStart = clock.instant();
        long seqBefore = db.sql("select coalesce(max(seq), 0) from audit_entry").query(Long.class).single();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int day = 0; day < days; day++) {
            LocalDate date = LocalDate.ofInstant(clock.instant(), zone);
            clock.advanceTo(date.plusDays(day == 0 ? 0 : 1).atTime(8, 0).atZone(zone).toInstant());
            LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
            List<Future<?>> work = new ArrayList<>();
            for (String username : clinicians) {
                long seed = random.nextLong();
                work.add(pool.submit(() -> {
                    Client c = new Client(username);
                    SplittableRandom r = new SplittableRandom(seed);
                    List<Response> answers = clinicianDay(c, today, r);
                    clinicianDays.incrementAndGet();
                    tally(answers, username, stepUps, freezes, requests, frozenAccounts);
                }));
            }
            for (String username : desks) {
                long seed = random.nextLong();
                work.add(pool.submit(() -> tally(deskDay(new Client(username), new SplittableRandom(seed)), username, stepUps, freezes,
                        requests, frozenAccounts)));
            }
            for (Future<?> f : work) {
                f.get();
            }
            clock.advance(Duration.ofHours(10)); // evening and night
        }
        pool.shutdown();
        var shares = db.sql("""
                select count(*) filter (where reason_code in ('ATTENDING', 'CURRENT_STAY_IN_UNIT', 'CARE_TEAM', 'APPOINTMENT', 'REFERRAL',
                                                               'RECENT_DISCHARGE')) as explained,
                       count(*) filter (where reason_code = 'BREAK_THE_GLASS') as break_glass,
                       count(*) as total
                  from audit_entry where seq > ? and decision = 'ALLOW' and patient_id is not null
                   and (actor_roles like '%PHYSICIAN%' or actor_roles like '%NURSE%')""")
                .param(seqBefore).query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("clinicianDays", clinicianDays.get());
        result.put("deskDays", days * desks.size());
        result.put("simulatedSpan", Duration.between(simulationStart, clock.instant()).toString());
        result.put("requests", requests.get());
        result.put("falseFreezes", freezes.get());
        result.put("falseFreezesPer1000ClinicianDays", freezes.get() * 1000.0 / Math.max(1, clinicianDays.get()));
        result.put("stepUps", stepUps.get());
        result.put("stepUpsPer1000ClinicianDays", stepUps.get() * 1000.0 / Math.max(1, clinicianDays.get()));
        result.put("clinicianAccesses", shares[2]);
        result.put("explainedByRelationship", shares[2] == 0 ? 0 : Math.round(shares[0] * 10000.0 / shares[2]) / 100.0);
        result.put("breakTheGlassShare", shares[2] == 0 ? 0 : Math.round(shares[1] * 10000.0 / shares[2]) / 100.0);
        result.put("frozenAccounts", frozenAccounts);
        System.out.println("SIMULATION normal days " + result);
        write("normal-days.json", result);
    }

    private static void tally(List<Response> answers, String username, AtomicInteger stepUps, AtomicInteger freezes, AtomicInteger requests,
                              Map<String, Integer> frozenAccounts) {
        requests.addAndGet(answers.size());
        stepUps.addAndGet((int) answers.stream().filter(Response::stepUp).count());
        if (answers.stream().anyMatch(Response::frozen)) {
            freezes.incrementAndGet();
            frozenAccounts.merge(username, 1, Integer::sum);
        }
    }

    /**
     * A clinician's day: the unit's census and each inpatient's chart (nurses: all; physicians: a third), the day's
     * agenda and each patient's chart, a colleague's patient looked up now and then (a consult: an exact search,
     * sometimes followed by breaking the glass in the emergency unit).
     */
    private static List<Response> clinicianDay(Client c, LocalDate today, SplittableRandom r) {
        List<Response> answers = new ArrayList<>();
        Response me = c.get("/api/me");
        answers.add(me);
        if (me.status() != 200) {
            return answers;
        }
        boolean physician = me.json().get("roles").toString().contains("PHYSICIAN");
        long staffId = me.json().get("id").asLong();
        Response census = c.get("/api/inpatients");
        answers.add(census);
        if (census.status() == 200) {
            for (JsonNode p : census.json()) {
                if (!physician || r.nextInt(3) == 0) {
                    answers.add(c.get("/api/patients/" + p.get("patientId").asLong() + "/chart"));
                }
            }
        }
        Response agenda = c.get("/api/practitioners/" + staffId + "/appointments?from=" + today + "&to=" + today);
        answers.add(agenda);
        if (agenda.status() == 200) {
            for (JsonNode a : agenda.json()) {
                answers.add(c.get("/api/patients/" + a.get("patientId").asLong() + "/chart"));
            }
        }
        if (r.nextInt(10) == 0) {
            // A consult: a colleague asks about a patient; found by exact IPP, then (in one case in three) the glass is broken.
            String ipp = db.sql("""
                            select ipp from patient where facility_id = 1 and id not in (select patient_id from guard_canary)
                             order by md5(id::text || ?) limit 1""").param(r.nextLong())
                    .query(String.class).single();
            Response found = c.get("/api/patients?ipp=" + ipp);
            answers.add(found);
            if (found.status() == 200 && found.json().get("results").size() > 0 && r.nextInt(3) == 0) {
                long id = found.json().at("/results/0/id").asLong();
                c.post("/api/patients/" + id + "/break-glass", Map.of("reason", "CONSULTATION_REQUEST", "justification",
                        "a colleague asked for my opinion"));
                answers.add(c.get("/api/patients/" + id + "/chart"));
            }
        }
        return answers;
    }

    /** A front-desk or billing day: searches by name and birth date, reading the record found, twenty times. */
    private static List<Response> deskDay(Client c, SplittableRandom r) {
        List<Response> answers = new ArrayList<>();
        List<Map<String, Object>> people = db.sql("""
                        select id, birth_family_name, birth_date from patient where facility_id = 1 and status = 'ACTIVE'
                           and id not in (select patient_id from guard_canary)
                         order by md5(id::text || ?) limit 20""").param(r.nextLong()).query().listOfRows();
        for (Map<String, Object> p : people) {
            String name = ((String) p.get("birth_family_name")).toLowerCase();
            Response found = c.get("/api/patients?name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)
                    + "&birthDate=" + p.get("birth_date"));
            answers.add(found);
            if (found.status() == 200) {
                answers.add(c.get("/api/patients/" + p.get("id")));
            }
        }
        return answers;
    }

    private static void write(String name, Object value) throws IOException {
        Files.createDirectories(RESULTS);
        Files.writeString(RESULTS.resolve(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }
}
