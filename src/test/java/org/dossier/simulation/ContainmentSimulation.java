package org.dossier.simulation;

import org.dossier.DossierApplication;
import org.dossier.demo.DemoAccounts;
import org.dossier.identity.TotpService;
import org.dossier.organization.Luhn;
import org.dossier.platform.SimulatedClock;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.PatientJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The containment simulations of docs/security/containment.md, run by {@code bin/simulate}: a server with the
 * demo hospital and a simulated clock in this JVM, attacked over HTTP by every strategy with stolen demo
 * accounts' tokens and browser sessions, then worked by a thousand clinician-days of ordinary work with its
 * peaks (morning rounds, clinics, handovers, nights on call, desk and billing days). Not part of the test suite.
 *
 * <p>Every strategy reports the distinct patients it was shown (identity, or an id with data) and how many of
 * them lie outside the victim's <em>work of that day</em>, computed with SQL before (and, for the month-long
 * drips, every simulated day during) the attack — see {@link #workSet}. The strategies measure whatever the server
 * does: no expected result is written here. The attacks run first (they steal accounts the ordinary days do not
 * use); the ordinary days book their own clinics, so they do not depend on how far the attacks moved the clock.
 */
@Tag("simulation")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainmentSimulation {

    private static final int PATIENTS = Integer.getInteger("sim.patients", 20_000);
    /** Requests one slow drip may make at most (a drip at one patient a minute over 30 days would be 43,200). */
    private static final int DRIP_MAX_REQUESTS = Integer.getInteger("sim.dripMaxRequests", 3_000);
    private static final Path RESULTS = Path.of("target/simulation").toAbsolutePath();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ZoneId ZONE = ZoneId.of("Europe/Paris");

    private static ConfigurableApplicationContext app;
    private static SimulatedClock clock;
    private static JdbcClient db;
    /** Opens the registry's sealed identity (V57), as the server would. */
    private static org.dossier.platform.crypto.FieldCipher cipher;

    /** The opened identity of the patients {@code where} selects, by id. */
    /** A row naming a patient by {@code id}, with the columns the simulation once read in clear: ipp, names, birth date. */
    private static Map<String, Object> withIdentity(Map<String, Object> row) {
        long id = ((Number) row.get("id")).longValue();
        org.dossier.patient.PatientRows.Identity p = identities("where id = " + id).get(id);
        Map<String, Object> full = new HashMap<>(row);
        full.put("ipp", p.ipp());
        full.put("birth_family_name", p.birthFamilyName());
        full.put("given_names", p.givenNames());
        full.put("birth_date", p.birthDate());
        return full;
    }

    /** The IPP is sealed (V57): opened as the server would, never read from a clear column. */
    private static String ippOf(long id) {
        return identities("where id = " + id).get(id).ipp();
    }

    private static java.util.SortedMap<Long, org.dossier.patient.PatientRows.Identity> identities(String where) {
        return org.dossier.support.IntegrationTest.identities(db, cipher, where);
    }
    private static String base;
    private static int port;
    /** Accounts an attack stole (the ordinary days leave them alone), and accounts the ordinary days worked with. */
    private static final Set<String> STOLEN = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws IOException {
        Path dataDir = RESULTS.resolve("data-" + System.currentTimeMillis());
        Files.createDirectories(dataDir);
        app = new SpringApplicationBuilder(DossierApplication.class).run("--server.port=0", "--dossier.data-dir=" + dataDir,
                "--dossier.demo.patients=" + PATIENTS, "--dossier.simulation.clock=true", "--logging.level.root=warn",
                "--logging.level.dossier.security=warn", "--dossier.demo.clinic-days-behind=2", "--dossier.demo.clinic-days-ahead=12");
        clock = (SimulatedClock) app.getBean(Clock.class);
        db = JdbcClient.create(app.getBean("ownerDataSource", DataSource.class));
        cipher = app.getBean(org.dossier.platform.crypto.FieldCipher.class);
        port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZONE);
    }

    // ------------------------------------------------------------------ the victim's work of the day

    /**
     * The patients the account's work of the (simulated) day explains. A clinician: appointments with them from
     * yesterday to tomorrow (Europe/Paris), current inpatients of their units, stays they attend, active care-team
     * membership, active referral to them or their unit, discharged from their unit (or by them) in the last 2 days.
     * Front desk: appointments or stays at their facilities from yesterday to tomorrow, patients they registered or
     * whose health card they read today. Billing: the desk's set plus draft invoices and claims TO_SEND or REJECTED
     * at their facilities. An account of several roles gets the union; an administrator has no work with patients.
     */
    static Set<Long> workSet(long staffId) {
        return workSet(staffId, clock.instant());
    }

    static Set<Long> workSet(long staffId, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZONE);
        OffsetDateTime from = at(today.minusDays(1).atStartOfDay(ZONE).toInstant());
        OffsetDateTime to = at(today.plusDays(2).atStartOfDay(ZONE).toInstant());
        OffsetDateTime dayStart = at(today.atStartOfDay(ZONE).toInstant());
        OffsetDateTime n = at(now);
        Set<String> roles = new HashSet<>(db.sql("select role from staff_role where staff_id = ?").param(staffId).query(String.class).list());
        Set<Long> work = new HashSet<>();
        if (roles.contains("PHYSICIAN") || roles.contains("NURSE")) {
            work.addAll(db.sql("""
                    select a.patient_id from appointment a where a.practitioner_id = :s and a.status in ('BOOKED', 'COMPLETED', 'NO_SHOW')
                       and a.start_at >= :from and a.start_at < :to
                    union select m.patient_id from stay_movement m join stay st on st.id = m.stay_id and st.status = 'ACTIVE'
                     where m.unit_id in (select unit_id from staff_unit where staff_id = :s) and m.from_at <= :now and (m.to_at is null or m.to_at > :now)
                    union select patient_id from stay where attending_id = :s and status = 'ACTIVE'
                    union select patient_id from care_team_member where staff_id = :s and status = 'ACTIVE' and period_start <= :now
                       and (period_end is null or period_end > :now)
                    union select patient_id from referral where status = 'ACTIVE' and period_start <= :now and period_end > :now
                       and (to_staff_id = :s or to_unit_id in (select unit_id from staff_unit where staff_id = :s))
                    union select st.patient_id from stay st where st.status = 'DISCHARGED' and st.discharged_at between :now - interval '2 days' and :now
                       and (st.attending_id = :s or exists (select 1 from stay_movement m where m.stay_id = st.id
                                                             and m.unit_id in (select unit_id from staff_unit where staff_id = :s)))""")
                    .param("s", staffId).param("from", from).param("to", to).param("now", n).query(Long.class).list());
        }
        if (roles.contains("FRONT_DESK") || roles.contains("BILLING")) {
            // A desk with units (a clinic desk) works for those units; one without, for its whole facility.
            work.addAll(db.sql("""
                    with desk as (select coalesce((select array_agg(unit_id) from staff_unit where staff_id = :s), '{}') as units)
                    select a.patient_id from appointment a, desk where a.facility_id in (select facility_id from staff_facility where staff_id = :s)
                       and a.start_at >= :from and a.start_at < :to and a.status <> 'CANCELLED'
                       and (cardinality(desk.units) = 0 or a.unit_id = any(desk.units))
                    union select st.patient_id from stay st, desk where st.facility_id in (select facility_id from staff_facility where staff_id = :s)
                       and st.status <> 'CANCELLED' and st.admitted_at < :to and (st.discharged_at is null or st.discharged_at >= :from)
                       and (cardinality(desk.units) = 0 or exists (select 1 from stay_movement m where m.stay_id = st.id
                                                                    and m.unit_id = any(desk.units)))
                    union select patient_id from patient_version where version = 1 and author_id = :s and recorded_at >= :day
                    union select patient_id from health_card_read where read_by = :s and read_at >= :day""")
                    .param("s", staffId).param("from", from).param("to", to).param("day", dayStart).query(Long.class).list());
        }
        if (roles.contains("BILLING")) {
            work.addAll(db.sql("""
                    select patient_id from invoice where status = 'DRAFT' and facility_id in (select facility_id from staff_facility where staff_id = :s)
                    union select patient_id from claim where status in ('TO_SEND', 'REJECTED')
                       and facility_id in (select facility_id from staff_facility where staff_id = :s)""")
                    .param("s", staffId).query(Long.class).list());
        }
        return work;
    }

    private static Set<Long> canaries() {
        return new HashSet<>(db.sql("select patient_id from guard_canary").query(Long.class).list());
    }

    /** Names as the lists print them ("family given"), to recognise patients in HTML pages. */
    private static volatile Map<String, List<Long>> names;

    private static Map<String, List<Long>> names() {
        if (names == null) {
            Map<String, List<Long>> all = new HashMap<>();
identities("").forEach((id, p) -> {
                String family = p.usedName() == null || p.usedName().isEmpty() ? p.birthFamilyName() : p.usedName();
                all.computeIfAbsent(family + " " + p.givenNames(), k -> new ArrayList<>()).add(id);
                if (!family.equals(p.birthFamilyName())) {
                    all.computeIfAbsent(p.birthFamilyName() + " " + p.givenNames(), k -> new ArrayList<>()).add(id);
                }
            });
            names = all;
        }
        return names;
    }

    private static String unescape(String html) {
        return html.replace("&#39;", "'").replace("&apos;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&").replaceAll("\\s+", " ").strip();
    }

    // ------------------------------------------------------------------ the client of a stolen (or honest) account

    record Response(int status, JsonNode json, String body, String location) {
        Response(int status, JsonNode json) {
            this(status, json, null, null);
        }

        String type() {
            return json != null && json.has("type") ? json.get("type").asString() : "";
        }

        boolean html() {
            return body != null && body.stripLeading().startsWith("<");
        }

        /** Frozen, or signed out because of it (a token refused, a page session sent back to the sign-in page). */
        boolean frozen() {
            return status == 401 || status == 403 && (type().endsWith("account-frozen")
                    || json != null && json.toString().contains("has been frozen") || html() && body.contains("id=\"frozen\""))
                    || status == 302 && location != null && location.contains("/signin");
        }

        boolean stepUp() {
            return status == 403 && (type().endsWith("step-up-required") || html() && body.contains("id=\"step-up\""));
        }

        boolean refused() {
            return status == 403 || status == 404 || status == 429;
        }
    }

    /**
     * An account's client: API tokens fetched with the account's password and authenticator at simulated time, and,
     * when asked, a browser session (cookie + CSRF) signed in the same way. It keeps what the account was shown:
     * distinct patients, those outside the account's work set, and when the first anomalous answer came.
     */
    static final class Client {
        final String username;
        final long staffId;
        private volatile String token;
        private Instant tokenAt = Instant.MIN;
        private BrowserSession session;
        final Set<Long> exposed = ConcurrentHashMap.newKeySet();
        final Set<Long> outside = ConcurrentHashMap.newKeySet();
        /** Simulated instants at which each patient outside work was first shown (the drips' ceilings per hour/day). */
        final List<Instant> outsideAt = Collections.synchronizedList(new ArrayList<>());
        final Set<String> namesFound = ConcurrentHashMap.newKeySet();
        final AtomicInteger stepUps = new AtomicInteger();
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicInteger tooMany = new AtomicInteger();
        final AtomicInteger charts = new AtomicInteger();
        final AtomicLong firstAnomalousNanos = new AtomicLong();
        volatile boolean frozenSeen;
        volatile Set<Long> work = Set.of();
        private LocalDate workDay;

        Client(String username) {
            this.username = username;
            this.staffId = db.sql("select id from staff where username = ?").param(username).query(Long.class).optional().orElse(-1L);
        }

        /** Computes the account's work set of the simulated day (again when the day changed). */
        Client withWork() {
            LocalDate d = today();
            if (!d.equals(workDay)) {
                work = workSet(staffId);
                workDay = d;
            }
            return this;
        }

        /** From now on, the strategy's first request is anomalous whatever it returns. */
        void anomalousNow() {
            firstAnomalousNanos.compareAndSet(0, System.nanoTime());
        }

        synchronized String token() {
            if (token == null || Duration.between(tokenAt, clock.instant()).toMinutes() >= 55) {
                token = fetchToken();
                tokenAt = clock.instant();
            }
            return token;
        }

        synchronized void newToken() {
            token = null;
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

        /** Signs in as a browser does (password, then the authenticator code at simulated time); null when refused. */
        synchronized BrowserSession session() {
            if (session != null) {
                return session;
            }
            String secret = DemoAccounts.totpSecret(username);
            for (int attempt = 0; attempt < 6; attempt++) {
                BrowserSession s = new BrowserSession(port);
                Api.Response first = s.login(username, DemoAccounts.PASSWORD);
                if (first.status() != 200) {
                    return null;
                }
                Api.Response second = s.form("/login/totp", Map.of("code", TotpService.codeAt(secret, clock.instant().plusSeconds(attempt % 2 == 1 ? 30 : 0))));
                if (second.status() == 200 && "SIGNED_IN".equals(second.json().path("status").asString(""))) {
                    session = s;
                    return s;
                }
                if (attempt >= 1) {
                    clock.advance(Duration.ofSeconds(31));
                }
            }
            return null;
        }

        Response get(String path) {
            Response r = send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token()).GET());
            observe(path, r);
            return r;
        }

        Response post(String path, Object body) {
            Response r = send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
            observe(path, r);
            return r;
        }

        Response put(String path, Object body) {
            Response r = send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token())
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
            observe(path, r);
            return r;
        }

        /** A JSON request of the browser session, with one extra header (e.g. X-Dossier-Reason). */
        Response sessionGet(String path, String header, String value) {
            BrowserSession s = session();
            Response r = s == null ? new Response(401, null) : of(header == null ? s.get(path) : s.get(path, header, value));
            observe(path, r);
            return r;
        }

        /** A screen of the browser session (HTML); patients are recognised by the names it prints. */
        Response page(String path) {
            BrowserSession s = session();
            Response r = s == null ? new Response(401, null) : of(s.page(path));
            observe(path, r);
            return r;
        }

        private static Response of(Api.Response r) {
            String body = r.body();
            JsonNode json = null;
            if (body != null && (body.startsWith("{") || body.startsWith("["))) {
                try {
                    json = JSON.readTree(body);
                } catch (RuntimeException notJson) {
                    json = null;
                }
            }
            return new Response(r.status(), json, body, r.header("Location"));
        }

        private void expose(long patientId) {
            if (patientId <= 0) {
                return;
            }
            if (exposed.add(patientId) && !work.contains(patientId)) {
                outside.add(patientId);
                outsideAt.add(clock.instant());
                anomalousNow();
            }
        }

        private static final Pattern PATIENT_REFERENCE = Pattern.compile("\"reference\"\\s*:\\s*\"Patient/(\\d+)\"");
        private static final Pattern PATIENT_LINK = Pattern.compile("<a[^>]*href=\"/patients/(\\d+)\"[^>]*>([^<]*)</a>");
        private static final Pattern TEXT = Pattern.compile(">([^<>]{3,120})<");

        /** Patients whose record (identity, or an id with data) this response carried; refusals and step-ups. */
        private void observe(String path, Response r) {
            if (r.frozen()) {
                frozenSeen = true;
            }
            if (r.stepUp()) {
                stepUps.incrementAndGet();
            }
            if (r.status() == 429) {
                tooMany.incrementAndGet();
                // The attacker waits as told (on the simulated clock), then goes on.
                long wait = r.json() == null ? 60 : Math.min(120, Math.max(1, r.json().path("retryAfterSeconds").asLong(60)));
                clock.advance(Duration.ofSeconds(wait));
            }
            if (r.refused()) {
                refusals.incrementAndGet();
                anomalousNow();
            }
            if (r.status() != 200) {
                return;
            }
            if (r.html()) {
                Map<String, List<Long>> index = names();
                Set<Long> linked = new HashSet<>();
                Matcher links = PATIENT_LINK.matcher(r.body());
                while (links.find()) {
                    String name = unescape(links.group(2));
                    List<Long> ids = index.get(name);
                    long id = Long.parseLong(links.group(1));
                    if (ids != null && ids.contains(id)) {
                        namesFound.add(name + "#" + id);
                        linked.add(id);
                        expose(id);
                    }
                }
                Matcher texts = TEXT.matcher(r.body());
                while (texts.find()) {
                    String name = unescape(texts.group(1));
                    List<Long> ids = index.get(name);
                    if (ids != null && ids.stream().noneMatch(linked::contains)) {
                        namesFound.add(name + "#" + ids.get(0));
                        expose(ids.get(0));
                    }
                }
                return;
            }
            JsonNode json = r.json();
            if (json == null) {
                return;
            }
            if (json.isArray()) {
                // agendas, census, claims: every entry that names a patient (a busy slot carries none)
                for (JsonNode e : json) {
                    if (e.hasNonNull("patientId")) {
                        expose(e.get("patientId").asLong());
                    }
                }
            } else if ("Bundle".equals(json.path("resourceType").asString(""))) {
                for (JsonNode e : json.path("entry")) {
                    JsonNode resource = e.path("resource");
                    if ("Patient".equals(resource.path("resourceType").asString(""))) {
                        expose(Long.parseLong(resource.path("id").asString("0")));
                    } else {
                        Matcher m = PATIENT_REFERENCE.matcher(resource.toString());
                        while (m.find()) {
                            expose(Long.parseLong(m.group(1)));
                        }
                    }
                }
            } else if ("Patient".equals(json.path("resourceType").asString(""))) {
                expose(Long.parseLong(json.path("id").asString("0")));
            } else if (json.has("results")) {
                json.get("results").forEach(p -> expose(p.get("id").asLong()));
            } else if (path.endsWith("/chart")) {
                expose(json.at("/patient/id").asLong());
                charts.incrementAndGet();
            } else if (path.matches("/api/patients/\\d+")) {
                expose(json.path("id").asLong());
            } else if (json.hasNonNull("patientId")) {
                expose(json.get("patientId").asLong());
            }
        }

        private static Response send(HttpRequest.Builder request) {
            try {
                HttpResponse<String> r = HTTP.send(request.header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                JsonNode json = null;
                if (r.body() != null && (r.body().startsWith("{") || r.body().startsWith("["))) {
                    try {
                        json = JSON.readTree(r.body());
                    } catch (RuntimeException notJson) {
                        json = null;
                    }
                }
                return new Response(r.statusCode(), json, null, r.headers().firstValue("Location").orElse(null));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------ attacks

    /**
     * What one strategy got: distinct patients exposed (identity or id with data) before the freeze, how many of them
     * lie outside the victim's work of the day, requests, and the time from the strategy's first request and from its
     * first anomalous one (a patient outside work shown, a refusal, or for harvests the first request) to the freeze.
     */
    record Outcome(String strategy, String account, int patientsExposed, int outsideWork, int requests, boolean frozen,
                   long millisToFreeze, long millisFromFirstAnomalous, String simulatedTimeToFreeze, Map<String, Object> details,
                   String note) {
    }

    private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());

    /** A demo account of the role in facility 1 that no strategy stole yet (each strategy steals a different one). */
    private static String victim(String role) {
        return victim(role, false);
    }

    /** {@code generated}: one of the demo's generated accounts, not a named demo account (frontdesk, billing, admin…). */
    private static synchronized String victim(String role, boolean generated) {
        Set<String> named = new HashSet<>();
        DemoAccounts.ALL.forEach(a -> named.add(a.username()));
        List<String> all = db.sql("""
                        select s.username from staff s join staff_role r on r.staff_id = s.id and r.role = ?
                          join staff_facility f on f.staff_id = s.id and f.facility_id = 1
                         where s.status = 'ACTIVE' and s.username not in ('physician', 'nurse', 'er.physician') order by s.id""")
                .param(role).query(String.class).list().stream().filter(u -> !generated || !named.contains(u)).toList();
        String chosen = all.stream().filter(u -> !STOLEN.contains(u)).findFirst().orElse(all.get(STOLEN.size() % all.size()));
        STOLEN.add(chosen);
        return chosen;
    }

    private static String steal(String username) {
        STOLEN.add(username);
        return username;
    }

    private List<String> ippsOfFacility(int count, long seed) {
        List<Long> ids = db.sql("select id from patient where facility_id = 1 order by md5(id::text || ?) limit ?").param(seed).param(count)
                .query(Long.class).list();
        var opened = identities("where id in (" + ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")) + ")");
        return ids.stream().map(id -> opened.get(id).ipp()).toList();
    }

    /** Patients of facility 1 outside the account's work set and not canaries, in a seeded order. */
    private static List<Map<String, Object>> strangers(Client c, int count, long seed) {
        Set<Long> avoid = new HashSet<>(c.work);
        avoid.addAll(canaries());
        List<Long> ids = db.sql("select id from patient where facility_id = 1 and status = 'ACTIVE' order by md5(id::text || ?) limit ?")
                .param(seed).param(count + avoid.size()).query(Long.class).list().stream().filter(id -> !avoid.contains(id)).limit(count).toList();
        return ids.stream().map(id -> withIdentity(Map.<String, Object>of("id", id))).toList();
    }

    private static String enc(Object s) {
        return URLEncoder.encode(String.valueOf(s), StandardCharsets.UTF_8);
    }

    private Outcome run(String strategy, Client thief, int maxRequests, java.util.function.IntFunction<Response> step, String note) {
        return run(strategy, thief, maxRequests, step, note, true, Map::of);
    }

    /** Plays a strategy until the account is frozen or the steps run out; {@code harvest}: every request is anomalous. */
    private Outcome run(String strategy, Client thief, int maxRequests, java.util.function.IntFunction<Response> step, String note,
                        boolean harvest, java.util.function.Supplier<Map<String, Object>> extra) {
        thief.withWork();
        long start = System.nanoTime();
        if (harvest) {
            thief.anomalousNow();
        }
        Instant simStart = clock.instant();
        int requests = 0;
        boolean frozen = false;
        for (int i = 0; i < maxRequests && !frozen; i++) {
            Response r = step.apply(i);
            if (r == null) {
                break; // the strategy ran out of things to ask
            }
            requests++;
            frozen = r.frozen();
        }
        return record(strategy, thief, requests, frozen, start, simStart, note, extra.get());
    }

    private Outcome record(String strategy, Client thief, int requests, boolean frozen, long startNanos, Instant simStart, String note,
                           Map<String, Object> extra) {
        long end = System.nanoTime();
        long anomalous = thief.firstAnomalousNanos.get();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("workSetSize", thief.work.size());
        details.put("stepUps", thief.stepUps.get());
        details.put("refusals", thief.refusals.get());
        details.put("tooManyRequests", thief.tooMany.get());
        details.put("chartsRead", thief.charts.get());
        if (!thief.namesFound.isEmpty()) {
            details.put("patientNamesFound", thief.namesFound.size());
        }
        details.put("accountStatus", db.sql("select status from staff where id = ?").param(thief.staffId).query(String.class).optional().orElse("?"));
        details.putAll(extra);
        Outcome o = new Outcome(strategy, thief.username, thief.exposed.size(), thief.outside.size(), requests, frozen,
                frozen ? (end - startNanos) / 1_000_000 : -1, frozen && anomalous != 0 ? (end - anomalous) / 1_000_000 : -1,
                Duration.between(simStart, clock.instant()).toString(), details, note);
        outcomes.add(o);
        System.out.println("SIMULATION " + o);
        return o;
    }

    private static final String[] PREFIXES = {"mar", "ber", "dub", "tho", "rob", "ric", "pet", "dur", "ler", "mor", "lau", "sim",
            "mic", "leb", "gar", "dav", "rou", "mer", "fou", "gir", "bon", "lam", "fon", "rol", "che", "gau", "mas", "bla", "gui", "lef"};

    @Test
    @Order(1)
    void attacks() throws Exception {
        existingStrategies();
        scheduleHarvest("FRONT_DESK");
        scheduleHarvest("BILLING");
        agendaHarvest();
        claimsHarvest();
        ownPatientHarvest();
        adminSelfGrant();
        reasonHeaderStepUp();
        slowDrips(); // last: it moves the simulated clock up to 30 days on
        write("attacks.json", Map.of("patients", PATIENTS, "outcomes", outcomes, "slowDripCeilings", dripCeilings,
                "measuredAt", Instant.now().toString()));
    }

    private void existingStrategies() throws Exception {
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
        run("slow drip (simulated week)", drip, Math.min(7 * 24 * 60 / 9, dripIpps.size()), i -> {
            clock.advance(Duration.ofMinutes(9));
            return drip.get("/api/patients?ipp=" + dripIpps.get(i));
        }, "one patient every 9 simulated minutes, below the hourly step-up, day and night, with fresh tokens (password + TOTP stolen)");

        // 7. Mixing legitimate patients with scraping.
        Client mixer = new Client(victim("NURSE")).withWork();
        List<Long> ward = new ArrayList<>();
        Response census = mixer.get("/api/inpatients");
        if (census.status() == 200 && census.json() != null) {
            census.json().forEach(p -> ward.add(p.get("patientId").asLong()));
        }
        List<String> mixIpps = ippsOfFacility(2_000, 7);
        run("legitimate work mixed with scraping", mixer, 2_000, i -> i % 2 == 0 && !ward.isEmpty()
                ? mixer.get("/api/patients/" + ward.get(i / 2 % ward.size()) + "/chart")
                : mixer.get("/api/patients?ipp=" + mixIpps.get(i)), "the nurse's own inpatients' charts, alternating with unrelated patients by IPP",
                false, Map::of);

        // 8. Several tokens of one account in parallel.
        Client parallel = new Client(victim("PHYSICIAN")).withWork();
        List<Client> tokens = List.of(parallel, parallel.another(), parallel.another(), parallel.another());
        tokens.forEach(c -> c.work = parallel.work);
        long start = System.nanoTime();
        Instant simStart = clock.instant();
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
        Set<Long> union = new HashSet<>();
        Set<Long> unionOutside = new HashSet<>();
        tokens.forEach(c -> {
            union.addAll(c.exposed);
            unionOutside.addAll(c.outside);
        });
        Outcome several = new Outcome("several tokens of one account in parallel", parallel.username, union.size(), unionOutside.size(),
                requests.get(), frozenAt.get() >= 0, frozenAt.get(), frozenAt.get(), Duration.between(simStart, clock.instant()).toString(),
                Map.of("workSetSize", parallel.work.size()), "4 tokens sweeping names at once; the freeze revokes all of them");
        outcomes.add(several);
        System.out.println("SIMULATION " + several);

        // 9. A break-the-glass reason on every request.
        Client glass = new Client(victim("PHYSICIAN")).withWork();
        List<Long> strangers = strangers(glass, 200, 9).stream().map(p -> ((Number) p.get("id")).longValue()).toList();
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
        nurses.forEach(STOLEN::add);
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
    }

    private static List<Long> practitionersOfFacility1() {
        return db.sql("""
                select s.id from staff s join staff_role r on r.staff_id = s.id and r.role = 'PHYSICIAN'
                  join staff_facility f on f.staff_id = s.id and f.facility_id = 1 order by s.id""").query(Long.class).list();
    }

    /** Item 7 / row 1: the week pages of every practitioner of facility 1 over 4 weeks, in a browser session (HTML). */
    private void scheduleHarvest(String role) {
        Client thief = new Client(victim(role, role.equals("BILLING"))).withWork();
        List<Long> practitioners = practitionersOfFacility1();
        LocalDate d = today();
        List<LocalDate> weeks = List.of(d.minusWeeks(2), d.minusWeeks(1), d, d.plusWeeks(1));
        String strategy = "schedule harvest (HTML week pages, " + role.toLowerCase().replace('_', ' ') + ")";
        if (thief.session() == null) {
            record(strategy, thief, 0, false, System.nanoTime(), clock.instant(), "sign-in refused", Map.of());
            return;
        }
        run(strategy, thief, practitioners.size() * weeks.size(), i -> thief.page("/schedule?practitioner=" + practitioners.get(i / weeks.size())
                        + "&date=" + weeks.get(i % weeks.size()) + "&view=week"),
                "GET /schedule?practitioner=P&date=D&view=week for every practitioner of facility 1 × 4 weeks (2 back, this, next); "
                        + "patients counted by the names the pages print", true,
                () -> Map.of("practitioners", practitioners.size(), "weeks", weeks.size()));
    }

    /** Item 7 / row 2: the REST agendas of every practitioner over a month, with a front-desk token. */
    private void agendaHarvest() {
        Client thief = new Client(victim("FRONT_DESK")).withWork();
        List<Long> practitioners = practitionersOfFacility1();
        LocalDate from = today().minusDays(14);
        run("REST agenda harvest (front desk)", thief, practitioners.size() * 4, i -> {
            LocalDate week = from.plusWeeks(i % 4);
            return thief.get("/api/practitioners/" + practitioners.get(i / 4) + "/appointments?from=" + week + "&to=" + week.plusDays(6));
        }, "GET /api/practitioners/{id}/appointments?from&to, every practitioner of facility 1 × 4 weeks around today", true,
                () -> Map.of("practitioners", practitioners.size()));
    }

    /** Item 7 / row 2: the claims queues, every status, with a billing token. */
    private void claimsHarvest() {
        Client thief = new Client(victim("BILLING")).withWork();
        List<String> statuses = List.of("TO_SEND", "SENT", "ACCEPTED", "REJECTED", "");
        run("claims harvest (billing)", thief, statuses.size(), i -> thief.get("/api/claims" + (statuses.get(i).isEmpty() ? "" : "?status=" + statuses.get(i))),
                "GET /api/claims?status=… for every status (and none)", true, Map::of);
    }

    /**
     * Item 7 / row 4: the victim's own agenda (a month back and forward) and unit census, then every patient on them
     * as fast as possible: charts over REST, or over FHIR (Patient, Condition, MedicationRequest, Observation,
     * AllergyIntolerance) with a colleague of the same unit (the REST run may have frozen the first one).
     */
    private void ownPatientHarvest() {
        for (String named : List.of("physician", "er.physician", "physician.sud")) {
            ownPatientHarvest(new Client(steal(named)), false);
            String colleague = db.sql("""
                            select s.username from staff s join staff_role r on r.staff_id = s.id and r.role = 'PHYSICIAN'
                              join staff_unit su on su.staff_id = s.id
                             where su.unit_id in (select unit_id from staff_unit where staff_id = (select id from staff where username = ?))
                               and s.status = 'ACTIVE' and s.username not in ('physician', 'er.physician', 'physician.sud') order by s.id""")
                    .param(named).query(String.class).list().stream().filter(u -> !STOLEN.contains(u)).findFirst().orElse(null);
            if (colleague != null) {
                ownPatientHarvest(new Client(steal(colleague)), true);
            }
        }
    }

    private void ownPatientHarvest(Client thief, boolean fhir) {
        thief.withWork();
        LocalDate d = today();
        List<String> plan = Collections.synchronizedList(new ArrayList<>());
        plan.add("/api/practitioners/" + thief.staffId + "/appointments?from=" + d.minusDays(30) + "&to=" + d.plusDays(30));
        plan.add("/api/inpatients");
        Set<Long> listed = new LinkedHashSet<>();
        AtomicInteger listRequests = new AtomicInteger();
        run((fhir ? "own-patient harvest over FHIR" : "own-patient harvest over REST") + " (" + thief.username + ")", thief, 5_000, i -> {
            if (i >= plan.size()) {
                return null;
            }
            String path = plan.get(i);
            Response r = thief.get(path);
            boolean list = path.contains("/appointments?") || path.equals("/api/inpatients");
            if (list) {
                listRequests.incrementAndGet();
                if (r.status() == 200 && r.json() != null && r.json().isArray()) {
                    for (JsonNode e : r.json()) {
                        if (e.hasNonNull("patientId") && listed.add(e.get("patientId").asLong())) {
                            long p = e.get("patientId").asLong();
                            if (fhir) {
                                for (String q : List.of("Patient/" + p, "Condition?patient=" + p, "MedicationRequest?patient=" + p,
                                        "Observation?patient=" + p, "AllergyIntolerance?patient=" + p)) {
                                    plan.add("/fhir/" + q);
                                }
                            } else {
                                plan.add("/api/patients/" + p + "/chart");
                            }
                        }
                    }
                } else if (i == 0 && !r.frozen() && r.status() == 400) {
                    // the month refused in one answer: week by week
                    for (int w = -4; w < 4; w++) {
                        plan.add(1 + (w + 4), "/api/practitioners/" + thief.staffId + "/appointments?from=" + d.plusWeeks(w) + "&to=" + d.plusWeeks(w).plusDays(6));
                    }
                }
            }
            return r;
        }, fhir ? "own agenda (a month back and forward) + unit census, then /fhir/Patient/{id} and Condition, MedicationRequest, "
                + "Observation, AllergyIntolerance ?patient= for each, back to back" : "own agenda (a month back and forward) + unit census, "
                + "then GET /api/patients/{id}/chart for each, back to back", true, () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("patientsListed", listed.size());
            m.put("listRequests", listRequests.get());
            m.put("listedInsideWork", listed.stream().filter(thief.work::contains).count());
            return m;
        });
    }

    /** Item 7 / row 3: the administrator gives itself FRONT_DESK + PHYSICIAN on every unit, takes a new token, then searches and reads. */
    private void adminSelfGrant() {
        Client admin = new Client(steal("admin")).withWork();
        long start = System.nanoTime();
        Instant simStart = clock.instant();
        admin.anomalousNow();
        int requests = 0;
        Map<String, Object> extra = new LinkedHashMap<>();
        Response me = admin.get("/api/me");
        requests++;
        boolean frozen = me.frozen();
        if (me.status() == 200) {
            JsonNode m = me.json();
            List<Integer> facilities = new ArrayList<>();
            m.path("facilityIds").forEach(f -> facilities.add(f.asInt()));
            List<Integer> units = db.sql("select id from care_unit where facility_id in (select facility_id from staff_facility where staff_id = ?) order by id")
                    .param(admin.staffId).query(Integer.class).list();
            Set<String> roles = new LinkedHashSet<>();
            m.path("roles").forEach(r -> roles.add(r.asString()));
            roles.add("FRONT_DESK");
            roles.add("PHYSICIAN");
            String rpps = m.hasNonNull("rpps") ? m.get("rpps").asString() : null;
            if (rpps == null) {
                String payload = String.format("17%08d", 39_000_000 + (int) (admin.staffId % 1_000_000));
                rpps = payload + Luhn.checkDigit(payload);
            }
            Map<String, Object> account = new LinkedHashMap<>();
            account.put("username", m.get("username").asString());
            account.put("displayName", m.get("displayName").asString());
            account.put("rpps", rpps);
            account.put("roles", roles);
            account.put("facilityIds", facilities);
            account.put("unitIds", units);
            account.put("reason", "covering the wards this weekend");
            Response grant = admin.put("/api/staff/" + admin.staffId, Map.of("version", m.get("version").asInt(), "account", account));
            requests++;
            extra.put("selfGrantStatus", grant.status());
            extra.put("selfGrantAnswer", grant.json() == null ? "" : grant.json().path("type").asString(grant.json().path("status").asString("")));
            frozen = grant.frozen();
            admin.newToken();
            Response after = admin.get("/api/me");
            requests++;
            extra.put("rolesAfter", after.json() == null ? "" : after.json().path("roles").toString());
            frozen |= after.frozen();
        }
        Response census = admin.get("/api/inpatients");
        requests++;
        List<Long> found = new ArrayList<>();
        if (census.status() == 200 && census.json() != null && census.json().isArray()) {
            census.json().forEach(p -> found.add(p.get("patientId").asLong()));
        }
        frozen |= census.frozen();
        for (int i = 0; i < 500 && !frozen; i++) {
            Response r;
            if (i % 2 == 0 || found.isEmpty()) {
                r = admin.get("/api/patients?name=" + PREFIXES[(i / 2) % PREFIXES.length] + "&given=" + (char) ('a' + (i / 2 / PREFIXES.length) % 26));
                if (r.status() == 200 && r.json() != null) {
                    r.json().path("results").forEach(p -> found.add(p.get("id").asLong()));
                }
            } else {
                r = admin.get("/api/patients/" + found.get(i / 2 % found.size()) + "/chart");
            }
            requests++;
            frozen = r.frozen();
        }
        record("admin self-grant", admin, requests, frozen, start, simStart,
                "PUT /api/staff/{own id} adding FRONT_DESK + PHYSICIAN on every unit, a new token, then the census, searches and charts", extra);
    }

    /**
     * Item 7 / row 5: a front desk's browser session reads patients outside its work, sending X-Dossier-Reason on every
     * request and never proving a second factor again after the step-up triggers.
     */
    private void reasonHeaderStepUp() {
        Client thief = new Client(victim("FRONT_DESK")).withWork();
        String strategy = "reason header without a second factor (front desk browser session)";
        if (thief.session() == null) {
            record(strategy, thief, 0, false, System.nanoTime(), clock.instant(), "sign-in refused", Map.of());
            return;
        }
        List<Map<String, Object>> targets = strangers(thief, 400, 16);
        AtomicInteger outsideAtFirstStepUp = new AtomicInteger(-1);
        run(strategy, thief, targets.size() * 2, i -> {
            Map<String, Object> p = targets.get(i / 2);
            clock.advance(Duration.ofSeconds(3)); // one patient every 6 simulated seconds: under a per-minute freeze, fast enough to step up
            Response r = i % 2 == 0
                    ? thief.sessionGet("/api/patients?name=" + enc(((String) p.get("birth_family_name")).toLowerCase()) + "&birthDate="
                    + p.get("birth_date"), "X-Dossier-Reason", "patient at the desk")
                    : thief.sessionGet("/api/patients/" + p.get("id"), "X-Dossier-Reason", "patient at the desk");
            if (r.stepUp()) {
                outsideAtFirstStepUp.compareAndSet(-1, thief.outside.size());
            }
            return r;
        }, "exact search (name + birth date) then the record, one patient every 6 simulated seconds, X-Dossier-Reason on each, "
                + "no new second factor after sign-in",
                false, () -> Map.of("outsideWorkAtFirstStepUp", outsideAtFirstStepUp.get(),
                        "outsideWorkAfterFirstStepUp", outsideAtFirstStepUp.get() < 0 ? 0 : thief.outside.size() - outsideAtFirstStepUp.get()));
    }

    /** One slow drip: a role, a pace just under one budget, its stolen account and the patients it will ask for. */
    private static final class Drip {
        final String role;
        final String pace;
        final Duration every;
        final Client client;
        final List<Map<String, Object>> targets;
        Instant next;
        Instant start;
        int requests;
        int index;
        boolean frozen;
        boolean capped;

        Drip(String role, String pace, Duration every, Client client, List<Map<String, Object>> targets) {
            this.role = role;
            this.pace = pace;
            this.every = every;
            this.client = client;
            this.targets = targets;
        }
    }

    /** The largest number of instants within any window of the given length. */
    private static int maxWithin(List<Instant> instants, Duration window) {
        List<Instant> sorted = new ArrayList<>(instants);
        sorted.sort(Comparator.naturalOrder());
        int best = 0;
        for (int i = 0, j = 0; i < sorted.size(); i++) {
            while (Duration.between(sorted.get(j), sorted.get(i)).compareTo(window) >= 0) {
                j++;
            }
            best = Math.max(best, i - j + 1);
        }
        return best;
    }

    /**
     * Item 7 / last row: one patient outside work every N simulated minutes, day and night, with fresh tokens each hour
     * (password and TOTP seed stolen), for every role at a pace just under each budget, up to 30 simulated days. All the
     * drips share the simulated clock: they are played together, each request at its own time.
     */
    private void slowDrips() {
        Map<String, Duration> paces = new LinkedHashMap<>();
        paces.put("under 60/h (one every 61 s)", Duration.ofSeconds(61));
        paces.put("under 8/h (one every 8 min)", Duration.ofMinutes(8));
        paces.put("under 12/day (one every 121 min)", Duration.ofMinutes(121));
        paces.put("under 25/30 days (one every 29 h)", Duration.ofHours(29));
        Duration span = Duration.ofDays(30);
        List<Drip> drips = new ArrayList<>();
        long seed = 700;
        for (String role : List.of("FRONT_DESK", "BILLING", "NURSE", "PHYSICIAN")) {
            for (Map.Entry<String, Duration> pace : paces.entrySet()) {
                Client c = new Client(victim(role)).withWork();
                int needed = (int) Math.min(DRIP_MAX_REQUESTS, span.dividedBy(pace.getValue())) + 10;
                drips.add(new Drip(role, pace.getKey(), pace.getValue(), c, strangers(c, needed, seed++)));
            }
        }
        Instant begin = clock.instant();
        Instant end = begin.plus(span);
        for (int i = 0; i < drips.size(); i++) {
            Drip d = drips.get(i);
            d.start = begin;
            d.next = begin.plusSeconds(i); // spread the first requests
            d.client.anomalousNow();
        }
        PriorityQueue<Drip> due = new PriorityQueue<>(Comparator.comparing((Drip d) -> d.next));
        due.addAll(drips);
        while (!due.isEmpty()) {
            Drip d = due.poll();
            if (d.next.isAfter(end) || d.targets.isEmpty()) {
                continue;
            }
            clock.advanceTo(d.next);
            Client c = d.client.withWork();
            Map<String, Object> p = d.targets.get(d.index++ % d.targets.size());
            for (int skip = 0; skip < d.targets.size() && c.work.contains(((Number) p.get("id")).longValue()); skip++) {
                p = d.targets.get(d.index++ % d.targets.size()); // became part of the day's work: not an unexplained patient
            }
            Response r = c.get("/api/patients?ipp=" + enc(p.get("ipp")));
            d.requests++;
            boolean desk = d.role.equals("FRONT_DESK") || d.role.equals("BILLING");
            if (!r.frozen() && desk && r.status() == 200 && r.json() != null && r.json().path("results").size() > 0) {
                r = c.get("/api/patients/" + r.json().at("/results/0/id").asLong());
                d.requests++;
            }
            if (r.frozen()) {
                d.frozen = true;
                continue;
            }
            if (d.requests >= DRIP_MAX_REQUESTS) {
                d.capped = true;
                continue;
            }
            d.next = d.next.plus(d.every);
            due.add(d);
            // The requests themselves take wall time on the simulated clock; a drip whose time has passed goes now.
        }
        Map<String, Object> ceilings = new LinkedHashMap<>();
        for (Drip d : drips) {
            Client c = d.client;
            String simulated = d.frozen ? Duration.between(d.start, d.next).toString() : d.capped ? "not frozen when stopped at "
                    + DRIP_MAX_REQUESTS + " requests, after " + Duration.between(d.start, d.next) : "not frozen in " + span.toDays() + " days";
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("pace", d.pace);
            details.put("maxOutsideWorkPerHour", maxWithin(c.outsideAt, Duration.ofHours(1)));
            details.put("maxOutsideWorkPerDay", maxWithin(c.outsideAt, Duration.ofDays(1)));
            details.put("outsideWorkIn30Days", c.outside.size());
            details.put("stepUps", c.stepUps.get());
            details.put("refusals", c.refusals.get());
            details.put("accountStatus", db.sql("select status from staff where id = ?").param(c.staffId).query(String.class).optional().orElse("?"));
            boolean desk = d.role.equals("FRONT_DESK") || d.role.equals("BILLING");
            Outcome o = new Outcome("slow drip, " + d.role.toLowerCase().replace('_', ' ') + ", " + d.pace, c.username, c.exposed.size(),
                    c.outside.size(), d.requests, d.frozen, -1, -1, simulated, details,
                    "exact-IPP lookups of patients outside the day's work" + (desk ? " then the record" : "")
                            + ", fresh token each hour, up to 30 simulated days (all drips interleaved on one simulated clock: "
                            + "the time to freeze is simulated)");
            outcomes.add(o);
            System.out.println("SIMULATION " + o);
            @SuppressWarnings("unchecked")
            Map<String, Object> byRole = (Map<String, Object>) ceilings.computeIfAbsent(d.role, k -> new LinkedHashMap<String, Object>());
            byRole.put(d.pace, Map.of("perHour", details.get("maxOutsideWorkPerHour"), "perDay", details.get("maxOutsideWorkPerDay"),
                    "in30Days", c.outside.size(), "frozen", d.frozen, "simulatedTimeToFreeze", simulated));
        }
        dripCeilings.putAll(ceilings);
        System.out.println("SIMULATION slow-drip ceilings (patients outside work) " + ceilings);
    }

    private final Map<String, Object> dripCeilings = new LinkedHashMap<>();

    // ------------------------------------------------------------------ a normal day, a thousand times

    /** Something an honest account does at a simulated time (an event of the day's plan). */
    private record Event(Instant at, long seq, Runnable action) {
    }

    /** The day's plan: events in time order, the clock moved to each before it runs. */
    private static final class Plan {
        private final PriorityQueue<Event> queue = new PriorityQueue<>(Comparator.comparing(Event::at).thenComparingLong(Event::seq));
        private long seq;

        void at(Instant at, Runnable action) {
            queue.add(new Event(at, seq++, action));
        }

        /** n actions spread evenly from {@code from} over {@code span}. */
        void spread(Instant from, Duration span, int n, java.util.function.IntConsumer action) {
            for (int i = 0; i < n; i++) {
                int k = i;
                at(from.plus(span.multipliedBy(i).dividedBy(Math.max(1, n))), () -> action.accept(k));
            }
        }

        void play() {
            while (!queue.isEmpty()) {
                Event e = queue.poll();
                clock.advanceTo(e.at());
                e.action().run();
            }
        }
    }

    private static Instant local(LocalDate day, int hour, int minute) {
        return day.atTime(LocalTime.of(hour, minute)).atZone(ZONE).toInstant();
    }

    /** Staff of a role with a unit: id, username, unit, unit kind, facility. */
    private record Worker(long id, String username, String role, int unitId, String unitKind, int facilityId) {
    }

    @Test
    @Order(2)
    void normalDays() throws Exception {
        int days = Integer.getInteger("sim.days", 10);
        int cliniciansPerDay = Integer.getInteger("sim.clinicians", 100);
        // Physicians and nurses with a unit (no account an attack stole), and front desks and billing clerks.
        List<Worker> clinicians = db.sql("""
                        select distinct on (s.username) s.id, s.username, r.role, u.id as unit_id, u.kind, u.facility_id
                          from staff s join staff_role r on r.staff_id = s.id and r.role in ('PHYSICIAN', 'NURSE')
                          join staff_unit su on su.staff_id = s.id join care_unit u on u.id = su.unit_id
                         where s.status = 'ACTIVE' order by s.username, u.id""")
                .query((rs, i) -> new Worker(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getInt(6)))
                .list().stream().filter(w -> !STOLEN.contains(w.username())).limit(cliniciansPerDay).toList();
        List<Worker> desks = new ArrayList<>();
        for (String role : List.of("FRONT_DESK", "BILLING")) {
            desks.addAll(db.sql("""
                            select s.id, s.username, r.role, 0, '', min(f.facility_id) from staff s join staff_role r on r.staff_id = s.id and r.role = ?
                              join staff_facility f on f.staff_id = s.id where s.status = 'ACTIVE' group by s.id, s.username, r.role order by min(f.facility_id), s.id""")
                    .param(role).query((rs, i) -> new Worker(rs.getLong(1), rs.getString(2), rs.getString(3), 0, "", rs.getInt(6)))
                    .list().stream().filter(w -> !STOLEN.contains(w.username())).limit(role.equals("FRONT_DESK") ? 6 : 4).toList());
        }
        SplittableRandom random = new SplittableRandom(2026);
        AtomicInteger requests = new AtomicInteger();
        int clinicianDays = 0;
        int deskDays = 0;
        int clinicianStepUps = 0;
        int deskStepUps = 0;
        int clinicianFreezes = 0;
        int deskFreezes = 0;
        int nights = 0;
        long deskExposed = 0;
        long deskOutside = 0;
        Map<String, Integer> frozenAccounts = new LinkedHashMap<>();
        Map<String, Integer> stepUpsBy = new LinkedHashMap<>();
        Instant simulationStart = clock.instant();
        long seqBefore = db.sql("select coalesce(max(seq), 0) from audit_entry").query(Long.class).single();
        LocalDate day = today().plusDays(1);
        for (int d = 0; d < days; d++, day = day.plusDays(1)) {
            clock.advanceTo(local(day, 6, 0));
            Plan plan = new Plan();
            Map<String, Client> clients = new LinkedHashMap<>();
            // Two physicians of the day (rotating) are on call tonight, each covering its unit and one other ward.
            List<Worker> physicians = clinicians.stream().filter(w -> w.role().equals("PHYSICIAN")).toList();
            Set<String> onCall = new HashSet<>();
            for (int k = 0; k < Math.min(2, physicians.size()); k++) {
                onCall.add(physicians.get((d * 2 + k) % physicians.size()).username());
            }
            for (Worker w : clinicians) {
                if (!"ACTIVE".equals(db.sql("select status from staff where id = ?").param(w.id()).query(String.class).single())) {
                    continue; // frozen on an earlier day: counted then
                }
                Client c = new Client(w.username());
                clients.put(w.username(), c);
                SplittableRandom r = new SplittableRandom(random.nextLong());
                if (w.role().equals("NURSE")) {
                    nurseDay(plan, c, w, day, r, requests);
                } else {
                    physicianDay(plan, c, w, day, r, requests);
                    if (onCall.contains(w.username())) {
                        nightOnCall(plan, c, w, day, r, requests);
                        nights++;
                    }
                }
            }
            Map<String, Client> deskClients = new LinkedHashMap<>();
            for (Worker w : desks) {
                if (!"ACTIVE".equals(db.sql("select status from staff where id = ?").param(w.id()).query(String.class).single())) {
                    continue;
                }
                Client c = new Client(w.username());
                deskClients.put(w.username(), c);
                SplittableRandom r = new SplittableRandom(random.nextLong());
                if (w.role().equals("FRONT_DESK")) {
                    frontDeskDay(plan, c, w, day, r, requests);
                } else {
                    billingDay(plan, c, w, day, r, requests);
                }
            }
            plan.play();
            for (Client c : clients.values()) {
                clinicianDays++;
                clinicianStepUps += c.stepUps.get();
                if (c.stepUps.get() > 0) {
                    stepUpsBy.merge(c.username, c.stepUps.get(), Integer::sum);
                }
                if (frozenNow(c)) {
                    clinicianFreezes++;
                    frozenAccounts.merge(c.username, 1, Integer::sum);
                }
            }
            for (Client c : deskClients.values()) {
                deskDays++;
                deskStepUps += c.stepUps.get();
                deskExposed += c.exposed.size();
                // the desk's work of the day as it stood at the end of its shift (today's registrations and card reads included)
                Set<Long> work = workSet(c.staffId, local(day, 18, 0));
                deskOutside += c.exposed.stream().filter(p -> !work.contains(p)).count();
                if (c.stepUps.get() > 0) {
                    stepUpsBy.merge(c.username, c.stepUps.get(), Integer::sum);
                }
                if (frozenNow(c)) {
                    deskFreezes++;
                    frozenAccounts.merge(c.username, 1, Integer::sum);
                }
            }
        }
        var shares = db.sql("""
                select count(*) filter (where reason_code in ('ATTENDING', 'CURRENT_STAY_IN_UNIT', 'CARE_TEAM', 'APPOINTMENT', 'REFERRAL',
                                                               'RECENT_DISCHARGE')) as explained,
                       count(*) filter (where reason_code = 'BREAK_THE_GLASS') as break_glass,
                       count(*) as total
                  from audit_entry where seq > ? and decision = 'ALLOW' and patient_id is not null
                   and (actor_roles like '%PHYSICIAN%' or actor_roles like '%NURSE%')""")
                .param(seqBefore).query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("clinicianDays", clinicianDays);
        result.put("deskDays", deskDays);
        result.put("nightsOnCall", nights);
        result.put("simulatedSpan", Duration.between(simulationStart, clock.instant()).toString());
        result.put("requests", requests.get());
        result.put("falseFreezes", clinicianFreezes);
        result.put("falseFreezesPer1000ClinicianDays", clinicianFreezes * 1000.0 / Math.max(1, clinicianDays));
        result.put("stepUps", clinicianStepUps);
        result.put("stepUpsPer1000ClinicianDays", clinicianStepUps * 1000.0 / Math.max(1, clinicianDays));
        result.put("clinicianAccesses", shares[2]);
        result.put("explainedByRelationship", shares[2] == 0 ? 0 : Math.round(shares[0] * 10000.0 / shares[2]) / 100.0);
        result.put("breakTheGlassShare", shares[2] == 0 ? 0 : Math.round(shares[1] * 10000.0 / shares[2]) / 100.0);
        result.put("deskFalseFreezes", deskFreezes);
        result.put("deskStepUps", deskStepUps);
        result.put("deskStepUpsPer1000DeskDays", deskStepUps * 1000.0 / Math.max(1, deskDays));
        result.put("deskPatientsShown", deskExposed);
        result.put("deskShownInsideWorkSet", deskExposed == 0 ? 0 : Math.round((deskExposed - deskOutside) * 10000.0 / deskExposed) / 100.0);
        result.put("frozenAccounts", frozenAccounts);
        result.put("stepUpsByAccount", stepUpsBy);
        System.out.println("SIMULATION normal days " + result);
        write("normal-days.json", result);
    }

    /** Frozen during the day (the account was active at its start): seen in an answer and confirmed by the account's status. */
    private static boolean frozenNow(Client c) {
        return c.frozenSeen && "FROZEN".equals(db.sql("select status from staff where id = ?").param(c.staffId).query(String.class).single());
    }

    /** Counts each request of an honest account's day. */
    private static Response counted(AtomicInteger requests, Response r) {
        requests.incrementAndGet();
        return r;
    }

    /** Inpatients of a unit now, from the database (the list the ward's whiteboard shows). */
    private static List<Long> inpatientsOf(int unitId) {
        return db.sql("""
                select distinct m.patient_id from stay_movement m join stay s on s.id = m.stay_id and s.status = 'ACTIVE'
                 where m.unit_id = ? and m.from_at <= ? and (m.to_at is null or m.to_at > ?)
                   and m.patient_id not in (select patient_id from guard_canary) order by m.patient_id""")
                .param(unitId).param(at(clock.instant())).param(at(clock.instant())).query(Long.class).list();
    }

    /**
     * A nurse's day shift: morning rounds at 08:00 (the census, then every inpatient of her unit opened within 15
     * minutes), a dozen re-reads during the day, and the handover at 18:45 (her patients re-read before the night nurse
     * takes over, again within 15 minutes).
     */
    private static void nurseDay(Plan plan, Client c, Worker w, LocalDate day, SplittableRandom r, AtomicInteger requests) {
        List<Long> ward = new ArrayList<>();
        plan.at(local(day, 7, 55), () -> {
            Response census = counted(requests, c.get("/api/inpatients"));
            if (census.status() == 200 && census.json() != null && census.json().isArray()) {
                census.json().forEach(p -> ward.add(p.get("patientId").asLong()));
            }
            ward.removeAll(canaries());
            plan.spread(local(day, 8, 0), Duration.ofMinutes(15), ward.size(), i -> counted(requests, c.get("/api/patients/" + ward.get(i) + "/chart")));
            plan.spread(local(day, 10, 0), Duration.ofHours(7), Math.min(12, ward.size()),
                    i -> counted(requests, c.get("/api/patients/" + ward.get(r.nextInt(ward.size())) + "/chart")));
            plan.spread(local(day, 18, 45), Duration.ofMinutes(15), ward.size(), i -> counted(requests, c.get("/api/patients/" + ward.get(i) + "/chart")));
        });
    }

    /** Books the practitioner's clinic of the day up to {@code size} appointments (20-minute slots from {@code from}), then lists it. */
    private static List<long[]> clinic(Worker w, LocalDate day, int size, int fromHour, SplittableRandom r) {
        Set<Long> avoid = canaries();
        List<Long> patients = db.sql("select id from patient where facility_id = ? and status = 'ACTIVE' order by md5(id::text || ?) limit ?")
                .param(w.facilityId()).param(r.nextLong()).param(2 * size + avoid.size()).query(Long.class).list()
                .stream().filter(p -> !avoid.contains(p)).limit(2L * size).toList();
        Instant start = local(day, fromHour, 0);
        int existing = db.sql("select count(*) from appointment where practitioner_id = ? and start_at >= ? and start_at < ? and status in ('BOOKED', 'COMPLETED')")
                .param(w.id()).param(at(local(day, 0, 0))).param(at(local(day.plusDays(1), 0, 0))).query(Integer.class).single();
        for (int i = 0, booked = existing; booked < size && i < patients.size(); i++) {
            Instant slot = start.plus(Duration.ofMinutes(20L * i));
            if (slot.atZone(ZONE).getHour() == 12) {
                continue; // lunch
            }
            booked += db.sql("""
                            insert into appointment (facility_id, patient_id, practitioner_id, unit_id, start_at, end_at, status, reason, version,
                                                     created_at, updated_at, created_by)
                            values (?, ?, ?, ?, ?, ?, 'BOOKED', 'consultation', 1, now(), now(), null) on conflict do nothing""")
                    .param(w.facilityId()).param(patients.get(i)).param(w.id()).param(w.unitId()).param(at(slot))
                    .param(at(slot.plus(Duration.ofMinutes(20)))).update();
        }
        return db.sql("""
                        select patient_id, extract(epoch from start_at)::bigint from appointment where practitioner_id = ? and start_at >= ? and start_at < ?
                           and status in ('BOOKED', 'COMPLETED') and patient_id not in (select patient_id from guard_canary) order by start_at""")
                .param(w.id()).param(at(local(day, 0, 0))).param(at(local(day.plusDays(1), 0, 0)))
                .query((rs, i) -> new long[]{rs.getLong(1), rs.getLong(2)}).list();
    }

    /**
     * A physician's day. In a clinic (outpatient unit): the day's agenda at 08:30, then a clinic of 20, each chart
     * opened at the appointment's time. On a ward: the census at 08:30 and half the inpatients seen between 09:00 and
     * 11:00, then an afternoon clinic of 8 one day in two. One day in ten, a consult: a colleague's patient found by
     * exact IPP, followed one time in three by breaking the glass.
     */
    private static void physicianDay(Plan plan, Client c, Worker w, LocalDate day, SplittableRandom r, AtomicInteger requests) {
        boolean clinicUnit = w.unitKind().equals("OUTPATIENT");
        int clinicSize = clinicUnit ? 20 : r.nextBoolean() ? 8 : 0;
        List<long[]> appointments = clinicSize == 0 ? List.of() : clinic(w, day, clinicSize, clinicUnit ? 9 : 14, r);
        plan.at(local(day, 8, 30), () -> {
            counted(requests, c.get("/api/practitioners/" + c.staffId + "/appointments?from=" + day + "&to=" + day));
            if (!clinicUnit) {
                Response census = counted(requests, c.get("/api/inpatients"));
                List<Long> ward = new ArrayList<>();
                if (census.status() == 200 && census.json() != null && census.json().isArray()) {
                    census.json().forEach(p -> ward.add(p.get("patientId").asLong()));
                }
                ward.removeAll(canaries());
                Collections.shuffle(ward, new java.util.Random(r.nextLong()));
                List<Long> seen = ward.subList(0, ward.size() / 2);
                plan.spread(local(day, 9, 0), Duration.ofHours(2), seen.size(), i -> counted(requests, c.get("/api/patients/" + seen.get(i) + "/chart")));
            }
        });
        for (long[] a : appointments) {
            plan.at(Instant.ofEpochSecond(a[1]), () -> counted(requests, c.get("/api/patients/" + a[0] + "/chart")));
        }
        if (r.nextInt(10) == 0) {
            long seed = r.nextLong();
            boolean glass = r.nextInt(3) == 0;
            plan.at(local(day, 15, r.nextInt(60)), () -> {
                String ipp = ippOf(db.sql("""
                                select id from patient where facility_id = ? and id not in (select patient_id from guard_canary)
                                 order by md5(id::text || ?) limit 1""").param(w.facilityId()).param(seed).query(Long.class).single());
                Response found = counted(requests, c.get("/api/patients?ipp=" + enc(ipp)));
                if (glass && found.status() == 200 && found.json() != null && found.json().path("results").size() > 0) {
                    long id = found.json().at("/results/0/id").asLong();
                    counted(requests, c.post("/api/patients/" + id + "/break-glass", Map.of("reason", "CONSULTATION_REQUEST", "justification",
                            "a colleague asked for my opinion")));
                    counted(requests, c.get("/api/patients/" + id + "/chart"));
                }
            });
        }
    }

    /**
     * A night on call covering two units: its own and another ward of the facility, whose inpatients it is given as
     * care-team member (ON_CALL) from 19:00 to 08:00 — the simulation's means for the cover the rota gives. At 19:00
     * the handover: its census and 12 of the other ward's sickest opened within 30 minutes; then 8 calls through the
     * night, each opening one or two charts of either unit.
     */
    private static void nightOnCall(Plan plan, Client c, Worker w, LocalDate day, SplittableRandom r, AtomicInteger requests) {
        Integer other = db.sql("""
                        select id from care_unit where facility_id = ? and id <> ? and kind in ('WARD', 'INTENSIVE_CARE') order by md5(id::text || ?) limit 1""")
                .param(w.facilityId()).param(w.unitId()).param(day.toString()).query(Integer.class).optional().orElse(null);
        Instant from = local(day, 19, 0);
        Instant until = local(day.plusDays(1), 8, 0);
        plan.at(local(day, 18, 55), () -> {
            List<Long> covered = other == null ? List.of() : inpatientsOf(other);
            for (Long p : covered) {
                db.sql("""
                        insert into care_team_member (facility_id, patient_id, staff_id, role, period_start, period_end, status, version, created_at, created_by)
                        values (?, ?, ?, 'ON_CALL', ?, ?, 'ACTIVE', 1, now(), null)""")
                        .param(w.facilityId()).param(p).param(w.id()).param(at(from)).param(at(until)).update();
            }
            List<Long> own = new ArrayList<>();
            plan.at(from, () -> {
                Response census = counted(requests, c.get("/api/inpatients"));
                if (census.status() == 200 && census.json() != null && census.json().isArray()) {
                    census.json().forEach(p -> own.add(p.get("patientId").asLong()));
                }
                own.removeAll(canaries());
            });
            List<Long> sickest = covered.subList(0, Math.min(12, covered.size()));
            plan.spread(from.plusSeconds(60), Duration.ofMinutes(30), sickest.size(), i -> counted(requests, c.get("/api/patients/" + sickest.get(i) + "/chart")));
            for (int call = 0; call < 8; call++) {
                Instant at = local(day, 20, 0).plus(Duration.ofMinutes(r.nextInt(11 * 60)));
                int charts = 1 + r.nextInt(2);
                plan.at(at, () -> {
                    for (int k = 0; k < charts; k++) {
                        List<Long> pool = r.nextBoolean() && !own.isEmpty() || covered.isEmpty() ? own : covered;
                        if (!pool.isEmpty()) {
                            counted(requests, c.get("/api/patients/" + pool.get(r.nextInt(pool.size())) + "/chart"));
                        }
                    }
                });
            }
        });
    }

    /**
     * A front desk's day at its facility (a clinic desk: at its clinics): at 09:00 the day's agenda of 3 practitioners
     * (booking calls); each of up to 40 of today's arrivals, 10 minutes before the appointment, searched by name and birth date then opened, one in four
     * with the health card read; two registrations of new patients (10:00, 15:00), each opened afterwards.
     */
    private static void frontDeskDay(Plan plan, Client c, Worker w, LocalDate day, SplittableRandom r, AtomicInteger requests) {
        List<Long> practitioners = db.sql("""
                        select distinct practitioner_id from appointment where facility_id = ? and start_at >= ? and start_at < ? and status = 'BOOKED'
                           and (not exists (select 1 from staff_unit where staff_id = ?) or unit_id in (select unit_id from staff_unit where staff_id = ?))
                         order by practitioner_id""")
                .param(w.facilityId()).param(at(local(day, 0, 0))).param(at(local(day.plusDays(1), 0, 0))).param(w.id()).param(w.id())
                .query(Long.class).list();
        plan.spread(local(day, 9, 0), Duration.ofMinutes(30), Math.min(3, practitioners.size()), i -> counted(requests,
                c.get("/api/practitioners/" + practitioners.get(r.nextInt(practitioners.size())) + "/appointments?from=" + day + "&to=" + day)));
        List<Map<String, Object>> arrivals = db.sql("""
                        select p.id, extract(epoch from a.start_at)::bigint as at
                          from appointment a join patient p on p.id = a.patient_id
                         where a.facility_id = ? and a.start_at >= ? and a.start_at < ? and a.status in ('BOOKED', 'COMPLETED')
                           and (not exists (select 1 from staff_unit where staff_id = ?) or a.unit_id in (select unit_id from staff_unit where staff_id = ?))
                           and p.id not in (select patient_id from guard_canary) order by md5(a.id::text || ?) limit 40""")
                .param(w.facilityId()).param(at(local(day, 8, 0))).param(at(local(day, 18, 0))).param(w.id()).param(w.id())
                .param(r.nextLong()).query().listOfRows().stream().map(ContainmentSimulation::withIdentity).toList();
        for (Map<String, Object> p : arrivals) {
            boolean card = r.nextInt(4) == 0;
            plan.at(Instant.ofEpochSecond(((Number) p.get("at")).longValue()).minus(Duration.ofMinutes(10)), () -> {
                Response found = counted(requests, c.get("/api/patients?name=" + enc(((String) p.get("birth_family_name")).toLowerCase())
                        + "&birthDate=" + p.get("birth_date")));
                if (found.status() != 200) {
                    return;
                }
                Response record = counted(requests, c.get("/api/patients/" + p.get("id")));
                String nir = record.json() == null ? "" : record.json().at("/data/insMatricule").asString("");
                if (card && record.status() == 200 && nir.length() == 15) {
                    String holder = p.get("given_names") + " " + p.get("birth_family_name");
                    counted(requests, c.post("/api/patients/" + p.get("id") + "/card-reads", Map.of("workstation", "ACCUEIL-01",
                            "cardHolderName", holder, "cardHolderNir", nir, "beneficiaryName", holder, "beneficiaryRank", 1,
                            "rights", Map.of("amoScheme", "01", "amoFund", "691", "amoCentre", "0001", "validFrom", day.withDayOfYear(1).toString(),
                                    "validTo", day.withDayOfYear(1).plusYears(1).minusDays(1).toString(), "amcName", "MGEN", "c2s", false, "ald", false))));
                }
            });
        }
        for (int k = 0; k < 2; k++) {
            int n = k;
            plan.at(local(day, 10 + 5 * k, r.nextInt(30)), () -> {
                String family = "Nouveau" + (char) ('a' + r.nextInt(26)) + (char) ('a' + r.nextInt(26)) + (char) ('a' + r.nextInt(26));
                Response created = counted(requests, c.post("/api/patients", PatientJson.registration(w.facilityId(), PatientJson.provisional(family,
                        n == 0 ? "Alice" : "Bruno", LocalDate.of(1950 + r.nextInt(60), 1 + r.nextInt(12), 1 + r.nextInt(28)).toString(), n == 0 ? "F" : "M"))));
                if (created.status() == 201 && created.json() != null && created.json().has("id")) {
                    counted(requests, c.get("/api/patients/" + created.json().get("id").asLong()));
                }
            });
        }
    }

    /**
     * A billing clerk's day at its facility: the claims queue (TO_SEND, then REJECTED) at 08:30, a dozen of its claims
     * worked from 09:00 (the claim and the patient's invoices), then a dozen draft invoices from 13:30 (the invoice and
     * the patient's identity), one every 15 minutes.
     */
    private static void billingDay(Plan plan, Client c, Worker w, LocalDate day, SplittableRandom r, AtomicInteger requests) {
        List<long[]> queue = new ArrayList<>();
        plan.at(local(day, 8, 30), () -> {
            for (String status : List.of("TO_SEND", "REJECTED")) {
                Response claims = counted(requests, c.get("/api/claims?status=" + status));
                if (claims.status() == 200 && claims.json() != null && claims.json().isArray()) {
                    claims.json().forEach(k -> queue.add(new long[]{k.get("id").asLong(), k.get("patientId").asLong()}));
                }
            }
            Collections.shuffle(queue, new java.util.Random(r.nextLong()));
            List<long[]> worked = queue.subList(0, Math.min(12, queue.size()));
            plan.spread(local(day, 9, 0), Duration.ofMinutes(15L * worked.size()), worked.size(), i -> {
                counted(requests, c.get("/api/claims/" + worked.get(i)[0]));
                counted(requests, c.get("/api/patients/" + worked.get(i)[1] + "/invoices"));
            });
        });
        List<long[]> drafts = db.sql("""
                        select id, patient_id from invoice where facility_id = ? and status = 'DRAFT'
                           and patient_id not in (select patient_id from guard_canary) order by md5(id::text || ?) limit 12""")
                .param(w.facilityId()).param(r.nextLong()).query((rs, i) -> new long[]{rs.getLong(1), rs.getLong(2)}).list();
        plan.spread(local(day, 13, 30), Duration.ofMinutes(15L * drafts.size()), drafts.size(), i -> {
            counted(requests, c.get("/api/invoices/" + drafts.get(i)[0]));
            counted(requests, c.get("/api/patients/" + drafts.get(i)[1]));
        });
    }

    private static void write(String name, Object value) throws IOException {
        Files.createDirectories(RESULTS);
        Files.writeString(RESULTS.resolve(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }
}
