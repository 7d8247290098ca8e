package org.dossier.web;

import org.dossier.identity.CredentialService;
import org.dossier.support.Accounts;
import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded, sampled fuzz of every endpoint (issue 17, item 4): the REST API, the screens' forms and every FHIR search
 * parameter the CapabilityStatement declares, each found in the running server (a new endpoint is fuzzed without being
 * listed here) and called over HTTP as an account whose role lets the request reach the controller. Bad values of every
 * kind (see {@link Hostile}) may be refused, never answered 5xx; a refusal is a problem (RFC 9457) on the API, an
 * OperationOutcome on FHIR, and writes nothing to the patient data.
 *
 * <p>Reproduce: the seed is printed; {@code -Ddossier.fuzz.seed=N} runs another, {@code -Ddossier.fuzz.cases=N} samples
 * more cases per endpoint and {@code -Ddossier.fuzz.only=TEXT} keeps the endpoints whose "METHOD /path" contains TEXT.
 * Each endpoint draws from its own generator (the seed mixed with its key), so a failure reproduces alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
// A server of its own: the fuzz writes whatever its hostile values name (care teams, appointments, referrals with random
// ids, canaries among them), which must not become the shared demo accounts' work of the day in other tests.
@org.springframework.test.context.TestPropertySource(properties = "dossier.test.server=fuzz")
class EndpointFuzzTest extends IntegrationTest {

    static final long DEFAULT_SEED = 20261207L;
    private static final long SEED = Long.getLong("dossier.fuzz.seed", DEFAULT_SEED);
    private static final int CASES = Integer.getInteger("dossier.fuzz.cases", 10);
    private static final int FHIR_CASES = Integer.getInteger("dossier.fuzz.fhir-cases", 3);
    private static final String ONLY = System.getProperty("dossier.fuzz.only", "");

    /** Tables of patient data and of what opens it (accounts, grants, restrictions): a refusal changes none of them. */
    private static final List<String> WRITTEN = List.of("patient", "patient_version", "patient_merge", "stay", "stay_movement",
            "practitioner_schedule", "appointment", "care_team_member", "referral", "care_version", "clinical_note", "allergy",
            "problem", "observation", "clinical_document", "clinical_version", "medication_order", "prescribing_version", "invoice",
            "invoice_line", "health_card_read", "claim", "billing_version", "patient_restriction", "break_glass_grant", "guard_canary",
            "staff", "staff_version", "staff_grant", "care_unit");

    private static final List<String> ROLES = List.of("PHYSICIAN", "FRONT_DESK", "NURSE", "BILLING", "ADMIN", "SECURITY_OFFICER");
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Autowired
    CredentialService credentials;

    private final Map<String, Who> accounts = new LinkedHashMap<>();
    private World world;
    private final List<String> failures = new ArrayList<>();
    private final Map<String, Integer> statuses = new TreeMap<>();
    private int requests;
    private final List<String> gated = new ArrayList<>();
    private final java.util.TreeMap<Long, String> slowest = new java.util.TreeMap<>();
    private long snapshotNanos;

    @Test
    @Order(1)
    void noRestEndpointOrFormAnswersAServerErrorAndARefusalWritesNothing() {
        List<Endpoint> endpoints = discover();
        assertThat(endpoints).as("the handler mapping lists the API and the screens").hasSizeGreaterThan(100);
        prepare();
        long started = System.nanoTime();
        int fuzzed = 0;
        Map<String, Integer> reached = new TreeMap<>();
        for (Endpoint e : endpoints) {
            if (!e.key().contains(ONLY)) {
                continue;
            }
            fuzzed++;
            long endpointStarted = System.nanoTime();
            Random random = new Random(SEED ^ e.key().hashCode() * 0x9E3779B97F4A7C15L);
            heal();
            String role = roleFor(e, random);
            reached.merge(role, 1, Integer::sum);
            int refused = 0;
            for (int i = 0; i < CASES; i++) {
                int status = exchange(e.key(), request(e, accounts.get(role), random, false), true).status();
                refused += status == 401 || status == 403 ? 1 : 0;
            }
            if (refused == CASES) {
                gated.add(e.key() + " (" + role + ")");
            }
            slowest.put((System.nanoTime() - endpointStarted) / 1_000_000, e.key());
        }
        System.out.println("fuzz: endpoints no role got past the gate (every case 401/403): " + gated);
        System.out.println("fuzz: slowest endpoints (ms): " + slowest.descendingMap().entrySet().stream().limit(12).toList());
        report("REST and screens", fuzzed, started, reached);
        assertThat(snapshot()).as("the write counters saw the calls that succeeded").isNotEmpty();
        assertThat(failures).as("seed " + SEED + " (-Ddossier.fuzz.seed=" + SEED + ")").isEmpty();
    }

    @Test
    @Order(2)
    void noFhirSearchParameterAnswersAServerError() {
        prepare();
        JsonNode capability = Api.jsonMapper().readTree(send(new Call("GET", "/fhir/metadata", null, null, null, Channel.FHIR)).body());
        long started = System.nanoTime();
        int types = 0;
        Map<String, Integer> reached = new TreeMap<>();
        for (JsonNode resource : capability.get("rest").get(0).get("resource")) {
            String type = resource.get("type").asString();
            if (!("GET /fhir/" + type).contains(ONLY) || !resource.has("searchParam")) {
                continue;
            }
            types++;
            Random random = new Random(SEED ^ type.hashCode() * 0x9E3779B97F4A7C15L);
            heal();
            List<JsonNode> parameters = new ArrayList<>();
            resource.get("searchParam").forEach(parameters::add);
            String role = fhirRoleFor(type, parameters);
            reached.merge(role, 1, Integer::sum);
            Who who = accounts.get(role);
            for (JsonNode parameter : parameters) {
                for (int i = 0; i < FHIR_CASES; i++) {
                    String query = fhirParameter(parameter, random) + (random.nextInt(3) == 0 ? "&" + fhirCommon(random) : "");
                    exchange("GET /fhir/" + type, new Call("GET", "/fhir/" + type + "?" + query, null, null, who, Channel.FHIR), true);
                }
            }
            for (int i = 0; i < FHIR_CASES; i++) {
                exchange("GET /fhir/" + type, new Call("GET", "/fhir/" + type + "?" + fhirCommon(random), null, null, who, Channel.FHIR), true);
                exchange("GET /fhir/" + type + "/{id}", new Call("GET", "/fhir/" + type + "/" + Hostile.pathValue(random).wire(), null, null,
                        who, Channel.FHIR), true);
            }
        }
        assertThat(types).as("the CapabilityStatement declares searchable types").isGreaterThan(5);
        report("FHIR searches", types, started, reached);
        assertThat(failures).as("seed " + SEED + " (-Ddossier.fuzz.seed=" + SEED + ")").isEmpty();
    }

    // ---- discovery -------------------------------------------------------------------------------------------------

    /** Which channel answers: the API's problems, the screens' pages, FHIR's OperationOutcomes. */
    enum Channel { API, PAGE, FHIR }

    record Param(String name, Type type, boolean required) {
        Class<?> raw() {
            return EndpointFuzzTest.raw(type);
        }
    }

    record Endpoint(String method, String pattern, Channel channel, boolean multipart, List<String> pathVariables,
                    List<Param> params, Type body, boolean bodyRequired) {
        String key() {
            return method + " " + pattern;
        }
    }

    /** Every handler method of the running application, each HTTP method and path of it. */
    private List<Endpoint> discover() {
        DefaultParameterNameDiscoverer names = new DefaultParameterNameDiscoverer();
        List<Endpoint> endpoints = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mappings.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            HandlerMethod handler = entry.getValue();
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            boolean multipart = info.getConsumesCondition().getConsumableMediaTypes().contains(MediaType.MULTIPART_FORM_DATA);
            boolean rest = org.springframework.core.annotation.AnnotatedElementUtils.hasAnnotation(handler.getBeanType(), RestController.class);
            List<String> variables = new ArrayList<>();
            List<Param> params = new ArrayList<>();
            Type body = null;
            boolean bodyRequired = false;
            for (MethodParameter p : handler.getMethodParameters()) {
                p.initParameterNameDiscovery(names);
                if (p.hasParameterAnnotation(PathVariable.class)) {
                    variables.add(p.getParameterName());
                } else if (p.hasParameterAnnotation(RequestParam.class)) {
                    RequestParam a = p.getParameterAnnotation(RequestParam.class);
                    String name = !a.name().isEmpty() ? a.name() : !a.value().isEmpty() ? a.value() : p.getParameterName();
                    boolean required = a.required() && org.springframework.web.bind.annotation.ValueConstants.DEFAULT_NONE.equals(a.defaultValue());
                    params.add(new Param(name, p.getGenericParameterType(), required));
                } else if (p.hasParameterAnnotation(RequestPart.class)) {
                    RequestPart a = p.getParameterAnnotation(RequestPart.class);
                    params.add(new Param(a.name().isEmpty() ? p.getParameterName() : a.name(), p.getGenericParameterType(), a.required()));
                } else if (p.hasParameterAnnotation(RequestBody.class)) {
                    body = p.getGenericParameterType();
                    bodyRequired = p.getParameterAnnotation(RequestBody.class).required();
                }
            }
            for (String pattern : info.getPatternValues()) {
                Channel channel = pattern.startsWith("/api/") || rest && !pattern.equals("/error") ? Channel.API : Channel.PAGE;
                for (RequestMethod m : methods.isEmpty() ? List.of(RequestMethod.GET, RequestMethod.POST) : methods) {
                    endpoints.add(new Endpoint(m.name(), pattern, channel, multipart, variables, params, body, bodyRequired));
                }
            }
        }
        endpoints.sort(java.util.Comparator.comparing(Endpoint::key));
        return endpoints;
    }

    // ---- accounts and the records the calls name -------------------------------------------------------------------

    /** A fuzzing account of one role: fresh (a freeze or a lock it earns stops no other test), with a token and a session. */
    final class Who {
        final String role;
        final String username;
        final long staffId;
        private BrowserSession session;

        Who(String role) {
            this.role = role;
            Integer unit = role.equals("PHYSICIAN") || role.equals("NURSE") ? fixtures().unit(1, "CARDIO") : null;
            this.username = Accounts.newStaff(as("admin"), credentials, role, 1, unit);
            this.staffId = fixtures().staffId(username);
        }

        Api api() {
            return as(username);
        }

        BrowserSession session() {
            if (session == null) {
                session = BrowserSession.signedIn(port, username);
            }
            return session;
        }
    }

    /** The records the calls name: a patient in the care of the fuzzing clinicians, with a little of everything. */
    record World(long patient, long otherPatient, long stay, long invoice, Map<String, Long> bySegment) {
    }

    private void prepare() {
        failures.clear();
        statuses.clear();
        requests = 0;
        snapshotNanos = 0;
        if (world != null) {
            return;
        }
        for (String role : ROLES) {
            accounts.put(role, new Who(role));
        }
        accounts.put("VICTIM", new Who("PHYSICIAN"));
        world = buildWorld();
    }

    private World buildWorld() {
        long patient = fixtures().patient();
        long other = fixtures().patient();
        Who doc = accounts.get("PHYSICIAN");
        fixtures().careFor(patient, doc.username, accounts.get("NURSE").username);
        Api physician = doc.api();
        physician.post("/api/patients/" + patient + "/notes", Map.of("kind", "PROGRESS", "title", "Fuzz", "body", "Stable."));
        physician.post("/api/patients/" + patient + "/allergies", Map.of("substance", "Pénicillines", "severity", "SEVERE"));
        physician.post("/api/patients/" + patient + "/problems", Map.of("icd10Code", "I10", "label", "HTA"));
        physician.post("/api/patients/" + patient + "/observations", Map.of("kind", "HEART_RATE", "value", 70));
        physician.post("/api/patients/" + patient + "/prescriptions", Map.of("drug", "Paracétamol 1 g", "atcCode", "N02BE01", "dose", "1 g",
                "route", "ORAL", "frequency", "3 fois par jour", "durationDays", 3));
        physician.upload("/api/patients/" + patient + "/documents", "Fuzz", "f.pdf", "application/pdf",
                "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
        physician.post("/api/referrals", Map.of("patientId", patient, "toUnitId", fixtures().unit(1, "PNEUMO"), "reason", "Avis"));
        Api desk = accounts.get("FRONT_DESK").api();
        desk.post("/api/stays", Map.of("patientId", patient, "kind", "INPATIENT", "unitId", fixtures().unit(1, "CARDIO"), "bed", "F1",
                "attendingId", doc.staffId, "reason", "Fuzz"));
        JsonNode slots = desk.get("/api/practitioners/" + fixtures().staffId("physician") + "/slots?date=" + LocalDate.now().plusDays(1)).json();
        if (slots.isArray() && !slots.isEmpty()) {
            desk.post("/api/appointments", Map.of("patientId", patient, "practitionerId", fixtures().staffId("physician"),
                    "startAt", slots.get(slots.size() - 1).get("startAt").asString(), "reason", "Fuzz"));
        }
        long stay = idOf("stay", patient);
        accounts.get("BILLING").api().post("/api/invoices", Map.of("patientId", patient, "stayId", stay));
        Map<String, Long> segments = new LinkedHashMap<>();
        segments.put("patients", patient);
        Map<String, String> tables = Map.ofEntries(Map.entry("notes", "clinical_note"), Map.entry("allergies", "allergy"),
                Map.entry("problems", "problem"), Map.entry("observations", "observation"), Map.entry("documents", "clinical_document"),
                Map.entry("prescriptions", "medication_order"), Map.entry("stays", "stay"), Map.entry("appointments", "appointment"),
                Map.entry("invoices", "invoice"), Map.entry("claims", "claim"), Map.entry("care-team", "care_team_member"),
                Map.entry("referrals", "referral"), Map.entry("break-glass", "break_glass_grant"));
        tables.forEach((segment, table) -> segments.put(segment, idOf(table, patient)));
        segments.put("practitioners", doc.staffId);
        segments.put("staff", accounts.get("VICTIM").staffId);
        segments.put("accounts", accounts.get("VICTIM").staffId);
        segments.put("facilities", 1L);
        segments.put("alerts", jdbc.sql("select coalesce(max(id), 1) from guard_alert").query(Long.class).single());
        segments.put("grants", jdbc.sql("select coalesce(max(id), 1) from staff_grant").query(Long.class).single());
        segments.put("patient-merges", jdbc.sql("select coalesce(max(id), 1) from patient_merge").query(Long.class).single());
        return new World(patient, other, stay, idOf("invoice", patient), segments);
    }

    /** The patient's latest record of a table, else the table's first (another patient's: a refusal to exercise). */
    private long idOf(String table, long patient) {
        return jdbc.sql("select coalesce((select max(id) from " + table + " where patient_id = ?), (select min(id) from " + table + "), 1)")
                .param(patient).query(Long.class).single();
    }

    /**
     * What a fuzzed call may legitimately do to its own account or record (a frozen account after a canary, a second
     * factor locked by wrong codes, a patient merged or restricted) would stop the next calls at the gate: replace them.
     */
    private void heal() {
        for (Map.Entry<String, Who> e : accounts.entrySet()) {
            Who who = e.getValue();
            boolean usable = jdbc.sql("""
                    select s.status = 'ACTIVE' and not exists (select 1 from second_factor_lock l where l.staff_id = s.id
                           and (l.locked_until > now() or l.failures > 0 or l.day_failures > 10))
                      from staff s where s.id = ?""").param(who.staffId).query(Boolean.class).single();
            if (!usable) {
                System.out.println("fuzz: account " + who.username + " (" + e.getKey() + ") is no longer usable; a fresh one replaces it");
                e.setValue(new Who(who.role));
                world = null;
            }
        }
        if (world != null) {
            boolean usable = jdbc.sql("""
                    select p.status = 'ACTIVE' and not exists (select 1 from patient_restriction r where r.patient_id = p.id)
                           and not exists (select 1 from guard_canary c where c.patient_id = p.id)
                      from patient p where p.id = ?""").param(world.patient()).query(Boolean.class).single();
            if (!usable) {
                System.out.println("fuzz: patient " + world.patient() + " was merged, restricted or marked; a fresh world replaces it");
                world = null;
            }
        }
        if (world == null) {
            world = buildWorld();
        }
    }

    // ---- requests ------------------------------------------------------------------------------------------------

    record Call(String method, String path, String contentType, byte[] body, Who who, Channel channel) {
        @Override
        public String toString() {
            String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            text = text.length() > 400 ? text.substring(0, 400) + "… (" + body.length + " bytes)" : text;
            String shown = path.length() > 400 ? path.substring(0, 400) + "…" : path;
            return method + " " + shown + (contentType == null ? "" : " [" + contentType + "] " + escape(text))
                    + (who == null ? "" : " as " + who.role);
        }
    }

    /**
     * The role that reaches the controller: the first, in order of likelihood, whose valid-looking call is not refused
     * for its role (each of those calls is checked too).
     */
    private String roleFor(Endpoint e, Random random) {
        List<String> order = new ArrayList<>(ROLES);
        String guess = guess(e.pattern());
        order.remove(guess);
        order.add(0, guess);
        for (String role : order) {
            Api.Response r = exchange(e.key(), request(e, accounts.get(role), random, true), true);
            if (r.status() != 403 && r.status() != 401) {
                return role;
            }
        }
        return guess;
    }

    private static String guess(String path) {
        if (path.startsWith("/api/audit") || path.startsWith("/security") || path.startsWith("/api/guard") || path.startsWith("/api/access")
                || path.endsWith("/restriction")) {
            return "SECURITY_OFFICER";
        }
        if (path.startsWith("/api/staff") || path.startsWith("/admin") || path.startsWith("/api/facilities")) {
            return "ADMIN";
        }
        if (path.contains("invoice") || path.contains("claim") || path.contains("/acts") || path.startsWith("/billing") || path.contains("card-reads")) {
            return "BILLING";
        }
        if (path.startsWith("/api/appointments") || path.startsWith("/api/practitioners") || path.startsWith("/schedule")
                || path.contains("stays") || path.equals("/api/patients") || path.equals("/patients") || path.contains("merge")
                || path.equals("/api/inpatients") || path.endsWith("access-report") || path.startsWith("/appointments")) {
            return "FRONT_DESK";
        }
        return "PHYSICIAN";
    }

    /** One call to an endpoint: valid-looking throughout when {@code baseline}, else each part valid, hostile or missing. */
    private Call request(Endpoint e, Who who, Random random, boolean baseline) {
        StringBuilder path = new StringBuilder();
        String[] segments = e.pattern().split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            path.append(i == 0 ? "" : "/");
            if (s.startsWith("{") && s.endsWith("}")) {
                String previous = i > 0 ? segments[i - 1] : "";
                path.append(baseline || random.nextInt(5) > 0 ? pathId(previous, s) : Hostile.pathValue(random).wire());
            } else {
                path.append(s);
            }
        }
        Map<String, List<Hostile.Value>> params = new LinkedHashMap<>();
        List<Param> files = new ArrayList<>();
        for (Param p : e.params()) {
            if (p.raw() == MultipartFile.class) {
                files.add(p);
                continue;
            }
            int roll = baseline ? (p.required() ? 5 : 9) : random.nextInt(10);
            if (roll == 0 || roll == 9) {
                continue;
            }
            Class<?> element = elementType(p.type());
            List<Hostile.Value> values = new ArrayList<>();
            values.add(roll <= 5 ? Hostile.Value.of(validText(p.name(), element)) : Hostile.forType(element, random));
            if (element != p.raw() && !baseline && random.nextBoolean()) {
                values.add(Hostile.forType(element, random));
            }
            params.put(p.name(), values);
        }
        if (!baseline && random.nextInt(6) == 0) {
            params.put(Hostile.pick(random, List.of("unknown", "_csrf", "facilityId", "id", "limit", "x".repeat(300))),
                    List.of(Hostile.forType(String.class, random)));
        }
        String method = e.method();
        boolean bodyMethod = !method.equals("GET") && !method.equals("DELETE");
        String query = params.entrySet().stream()
                .flatMap(p -> p.getValue().stream().map(v -> Hostile.Value.of(p.getKey()).wire() + "=" + v.wire()))
                .collect(Collectors.joining("&"));
        String contentType = null;
        byte[] body = null;
        if (e.multipart() || !files.isEmpty()) {
            String boundary = "----fuzz" + random.nextInt(1_000_000);
            contentType = baseline || random.nextInt(8) > 0 ? "multipart/form-data; boundary=" + boundary
                    : Hostile.pick(random, List.of("multipart/form-data", "multipart/form-data; boundary=", "application/json"));
            body = multipart(boundary, params, files, random, baseline, e.channel() == Channel.PAGE ? who : null);
            query = "";
        } else if (e.body() != null) {
            Object valid = validJson(e.body(), "body", 0);
            String json = baseline ? Hostile.json(valid, false) : switch (random.nextInt(10)) {
                case 0 -> Hostile.wholeBody(random);
                case 1 -> Hostile.json(List.of(valid), false);
                default -> Hostile.json(Hostile.mutate(valid, random), random.nextBoolean());
            };
            body = Hostile.bytes(json);
            contentType = baseline || random.nextInt(12) > 0 ? "application/json"
                    : Hostile.pick(random, List.of("text/plain", "application/xml", "application/json; charset=ISO-8859-1",
                    "application/x-www-form-urlencoded", "application/json;charset=utf-16", "application/problem+json", "foo"));
            if (!baseline && random.nextInt(20) == 0) {
                body = null;
            }
        } else if (e.channel() == Channel.PAGE && bodyMethod) {
            // A screen's form: its fields in the body, with the session's CSRF token, as a browser posts them.
            contentType = "application/x-www-form-urlencoded";
            String token = Hostile.Value.of(who.session().csrf().getValue()).wire();
            body = ((query.isEmpty() ? "" : query + "&") + "_csrf=" + token).getBytes(StandardCharsets.UTF_8);
            query = "";
        }
        String full = path + (query.isEmpty() ? "" : "?" + query);
        return new Call(method, full, contentType, body, who, e.channel());
    }

    private String pathId(String previousSegment, String variable) {
        if (variable.equals("{ref}")) {
            return "not-a-session";
        }
        Long id = world.bySegment().get(previousSegment);
        return Long.toString(id == null ? 1 : id);
    }

    private byte[] multipart(String boundary, Map<String, List<Hostile.Value>> params, List<Param> files, Random random, boolean baseline,
                             Who page) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> fields = new LinkedHashMap<>();
        params.forEach((name, values) -> fields.put(name, decoded(values.get(0))));
        if (page != null) {
            fields.put("_csrf", page.session().csrf().getValue());
        }
        fields.forEach((name, value) -> out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n"
                + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
        for (Param file : files) {
            if (!baseline && random.nextInt(6) == 0) {
                continue;
            }
            String filename = baseline ? "f.pdf" : Hostile.pick(random, List.of("f.pdf", "", "../../x.pdf", "a\u0000.pdf", "x".repeat(300), "é.png"));
            String type = baseline ? "application/pdf" : Hostile.pick(random, List.of("application/pdf", "text/html", "image/png", "*/*", ""));
            byte[] content = new byte[random.nextInt(64)];
            random.nextBytes(content);
            if (baseline || random.nextBoolean()) {
                content = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
            }
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + file.name() + "\"; filename=\"" + filename
                    + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(content);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (baseline || random.nextInt(8) > 0) {
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static String decoded(Hostile.Value v) {
        if (!v.encoded()) {
            return v.text();
        }
        return new String(java.net.URLDecoder.decode(v.text().replace("+", "%2B"), StandardCharsets.ISO_8859_1)
                .getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
    }

    // ---- valid-looking values --------------------------------------------------------------------------------------

    private String validText(String name, Class<?> type) {
        String n = name.toLowerCase();
        if (Hostile.isNumber(type)) {
            return Long.toString(validNumber(n));
        }
        if (type == LocalDate.class) {
            return n.contains("birth") ? "1970-01-01" : LocalDate.now().plusDays(1).toString();
        }
        if (type == LocalDateTime.class) {
            return LocalDate.now().plusDays(1) + "T09:00:00";
        }
        if (Hostile.isInstant(type)) {
            return n.equals("from") ? LocalDate.now().minusDays(1) + "T00:00:00Z" : LocalDate.now().plusDays(1) + "T09:00:00Z";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true";
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0].toString();
        }
        if (n.contains("date") || n.equals("from") || n.equals("to") || n.startsWith("valid")) {
            return LocalDate.now().toString();
        }
        return switch (n) {
            case "code" -> "000000";
            case "username" -> "fuzz.user";
            case "language" -> "en";
            case "next" -> "/";
            case "q", "name", "given", "actcode" -> n.equals("actcode") ? "ATM" : "fuz";
            case "sex" -> "F";
            case "route" -> "ORAL";
            case "format" -> "json";
            case "status" -> "ACTIVE";
            case "icd10code" -> "I10";
            case "atccode" -> "N02BE01";
            case "kind" -> "REPORT";
            case "role" -> "PHYSICIAN";
            case "destination" -> "HOME";
            case "workstation" -> "ACCUEIL-01";
            default -> n.contains("reason") || n.contains("justification") || n.contains("comment") || n.contains("note")
                    ? "Fuzzing: a reason long enough to be accepted" : "Fuzz";
        };
    }

    private long validNumber(String n) {
        if (n.contains("merged")) {
            return world.otherPatient();
        }
        if (n.contains("patient")) {
            return world.patient();
        }
        if (n.contains("practitioner") || n.contains("attending") || n.contains("staff") || n.contains("account")) {
            return accounts.get("PHYSICIAN").staffId;
        }
        if (n.contains("unit")) {
            return fixtures().unit(1, "CARDIO");
        }
        if (n.contains("stay")) {
            return world.stay();
        }
        if (n.contains("invoice")) {
            return world.invoice();
        }
        if (n.contains("value")) {
            return 70;
        }
        return 1;
    }

    /** A valid-looking JSON value of a Java type (records field by field, collections of one). */
    private Object validJson(Type type, String name, int depth) {
        Class<?> c = raw(type);
        if (c == String.class || c == Object.class && depth > 0) {
            return validText(name, String.class);
        }
        if (Hostile.isNumber(c)) {
            return c == BigDecimal.class || c == double.class || c == Double.class ? (Object) new BigDecimal("70") : validNumber(name.toLowerCase());
        }
        if (c == boolean.class || c == Boolean.class) {
            return Boolean.TRUE;
        }
        if (c == LocalDate.class || c == LocalDateTime.class || Hostile.isInstant(c)) {
            return validText(name, c);
        }
        if (c == LocalTime.class) {
            return "09:00";
        }
        if (c == Duration.class) {
            return "PT20M";
        }
        if (c.isEnum()) {
            return c.getEnumConstants()[0].toString();
        }
        if (depth > 4) {
            return null;
        }
        if (Collection.class.isAssignableFrom(c) || c.isArray()) {
            Type element = c.isArray() ? c.getComponentType() : type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : String.class;
            return List.of(validJson(element, name, depth + 1));
        }
        if (c.isRecord()) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (RecordComponent component : c.getRecordComponents()) {
                object.put(component.getName(), validJson(component.getGenericType(), component.getName(), depth + 1));
            }
            return object;
        }
        return new LinkedHashMap<>();
    }

    static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    private static Class<?> elementType(Type type) {
        Class<?> c = raw(type);
        if (Collection.class.isAssignableFrom(c) && type instanceof ParameterizedType p) {
            return raw(p.getActualTypeArguments()[0]);
        }
        return c.isArray() ? c.getComponentType() : c;
    }

    // ---- FHIR ----------------------------------------------------------------------------------------------------

    /** The role whose valid-looking search of the type is not refused for its role. */
    private String fhirRoleFor(String type, List<JsonNode> parameters) {
        List<String> order = new ArrayList<>(List.of("PHYSICIAN", "FRONT_DESK", "BILLING", "SECURITY_OFFICER", "ADMIN", "NURSE"));
        String guess = switch (type) {
            case "Patient", "Practitioner", "Organization", "Location", "PractitionerRole", "Appointment", "Schedule", "Slot" -> "FRONT_DESK";
            case "AuditEvent" -> "SECURITY_OFFICER";
            case "Invoice", "Coverage", "ChargeItem", "Claim", "Account" -> "BILLING";
            default -> "PHYSICIAN";
        };
        order.remove(guess);
        order.add(0, guess);
        String name = parameters.isEmpty() ? "_id" : parameters.get(0).get("name").asString();
        for (String role : order) {
            String value = name.equals("patient") || name.equals("subject") ? "Patient/" + world.patient() : "fuz";
            Api.Response r = exchange("GET /fhir/" + type, new Call("GET", "/fhir/" + type + "?" + name + "=" + value, null, null,
                    accounts.get(role), Channel.FHIR), true);
            if (r.status() != 403 && r.status() != 401) {
                return role;
            }
        }
        return guess;
    }

    /** One search parameter with a value of its type, valid or hostile, sometimes with a modifier or a prefix. */
    private String fhirParameter(JsonNode parameter, Random random) {
        String name = parameter.get("name").asString();
        String type = parameter.has("type") ? parameter.get("type").asString() : "string";
        String modifier = random.nextInt(5) == 0 ? Hostile.pick(random, List.of(":exact", ":contains", ":missing", ":not", ":above",
                ":below", ":text", ":identifier", ":Patient", ":bogus", ":")) : "";
        Hostile.Value value = switch (random.nextInt(4)) {
            case 0 -> Hostile.forType(String.class, random);
            case 1 -> Hostile.Value.of(switch (type) {
                case "date" -> Hostile.pick(random, List.of("ge", "le", "eq", "sa", "eb", "ap", "ne", "zz", "")) + Hostile.pick(random,
                        random.nextBoolean() ? Hostile.DATES : Hostile.INSTANTS);
                case "token" -> Hostile.pick(random, List.of("|", "||", "a|b|c", "urn:oid:1.2.250.1.213.1.4.8|", "|" + "9".repeat(30),
                        "http://x|", "\u0000|x", "%|%"));
                case "reference" -> Hostile.pick(random, List.of("Patient/abc", "Patient/-1", "Patient/99999999999999999999",
                        "Patient/" + world.patient() + "/_history/x", "Nope/1", "http://evil.example/Patient/1", "Patient/", "/", "1"));
                case "number", "quantity" -> Hostile.pick(random, Hostile.NUMBERS) + (type.equals("quantity") ? "||mg" : "");
                default -> Hostile.pick(random, Hostile.TEXTS);
            });
            case 2 -> new Hostile.Value(Hostile.pick(random, Hostile.ENCODED), true);
            default -> Hostile.Value.of(switch (type) {
                case "date" -> "ge" + LocalDate.now().minusYears(1);
                case "reference" -> "Patient/" + world.patient();
                case "token" -> "fuz";
                default -> "fuz";
            });
        };
        return name + modifier + "=" + value.wire();
    }

    private static String fhirCommon(Random random) {
        String name = Hostile.pick(random, List.of("_count", "_sort", "_include", "_revinclude", "_summary", "_elements", "_format",
                "_getpages", "_getpagesoffset", "_lastUpdated", "_id", "_has:Observation:patient:code", "_pretty", "_total", "_contained"));
        Hostile.Value value = random.nextBoolean() ? Hostile.forType(name.equals("_count") ? Integer.class : String.class, random)
                : Hostile.Value.of(Hostile.pick(random, List.of("-1", "0", "1000000", "*", "Patient:general-practitioner", "count",
                "xml", "application/fhir+xml", "abc", "gt2020", "-_id", "true")));
        return name + "=" + value.wire();
    }

    // ---- the exchange and its checks -------------------------------------------------------------------------------

    private Api.Response send(Call call) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + call.path()))
                .timeout(Duration.ofSeconds(60));
        if (call.channel() == Channel.PAGE) {
            BrowserSession session = call.who().session();
            b.header("Cookie", "DOSSIER_SESSION=" + session.sessionCookie()).header("Accept", "text/html");
            if (!call.method().equals("GET")) {
                b.header(session.csrf().getKey(), session.csrf().getValue());
            }
        } else {
            b.header("Accept", call.channel() == Channel.FHIR ? "application/fhir+json" : "application/json, application/problem+json");
            if (call.who() != null) {
                b.header("Authorization", "Bearer " + call.who().api().token());
            }
        }
        if (call.contentType() != null && !call.contentType().isEmpty()) {
            b.header("Content-Type", call.contentType());
        }
        b.method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Api.Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""), r.headers().map());
        } catch (java.io.IOException e) {
            return new Api.Response(599, "no answer: " + e, "", Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a call, checks its answer, and for a refused change that the patient data did not move. */
    private Api.Response exchange(String endpoint, Call call, boolean checkWrites) {
        boolean write = checkWrites;
        Map<String, Long> before = write ? snapshot() : null;
        Api.Response r = send(call);
        requests++;
        statuses.merge(r.status() / 100 + "xx", 1, Integer::sum);
        String problem = problemWith(call, r);
        if (problem == null && write && r.status() >= 400 && r.status() < 500) {
            Map<String, Long> after = snapshot();
            // Another writer (a scheduled job sealing or rotating a batch of rows) may have moved a table meanwhile, even
            // twice in a row: the call must do it again each time it is sent, up to three times.
            for (int retries = 0; retries < 3 && !after.equals(before); retries++) {
                before = snapshot();
                Api.Response retry = send(call);
                after = snapshot();
                if (retry.status() < 400 || retry.status() >= 500) {
                    break;
                }
                if (retries == 2 && !after.equals(before)) {
                    problem = "refused with " + r.status() + " but wrote to " + changed(before, after);
                }
            }
        }
        if (problem != null) {
            String failure = problem + "\n    endpoint " + endpoint + "\n    request  " + call + "\n    answer   " + r.status() + " "
                    + r.contentType() + " " + escape(r.body() == null ? "" : r.body().length() > 500 ? r.body().substring(0, 500) : r.body());
            failures.add(failure);
            System.out.println("fuzz failure (seed " + SEED + "): " + failure);
        }
        return r;
    }

    private static String problemWith(Call call, Api.Response r) {
        if (r.status() >= 500) {
            return "server error " + r.status();
        }
        if (r.status() < 400) {
            return null;
        }
        return switch (call.channel()) {
            case API -> r.contentType().startsWith("application/problem+json") && r.body().contains("\"status\":" + r.status())
                    ? null : "a " + r.status() + " on the API without a problem (RFC 9457)";
            case FHIR -> r.body() != null && r.body().contains("OperationOutcome") ? null : "a " + r.status() + " on FHIR without an OperationOutcome";
            case PAGE -> r.contentType().startsWith("text/html") || r.contentType().startsWith("application/problem+json") ? null
                    : "a " + r.status() + " on a screen that is neither a page nor a problem";
        };
    }

    /** Rows written to each watched table so far, as counted by the triggers {@link #watchWrites()} installs. */
    private Map<String, Long> snapshot() {
        long started = System.nanoTime();
        try {
            Map<String, Long> counts = new TreeMap<>();
            jdbc.sql("select table_name, n from fuzz_written").query((rs, i) -> counts.put(rs.getString(1), rs.getLong(2))).list();
            return counts;
        } finally {
            snapshotNanos += System.nanoTime() - started;
        }
    }

    /**
     * Counts every row inserted, updated or deleted in the watched tables, in the writer's own transaction (a write
     * rolled back is not counted): cheaper than counting the tables around each call, and it sees updates too.
     * Installed for this class only, as the owner, and removed after it.
     */
    @org.junit.jupiter.api.BeforeAll
    void watchWrites() {
        jdbc.sql("create table if not exists fuzz_written (table_name text primary key, n bigint not null)").update();
        jdbc.sql("""
                create or replace function fuzz_count_write() returns trigger language plpgsql security definer set search_path = public as $$
                begin
                    insert into fuzz_written values (tg_table_name, 1) on conflict (table_name) do update set n = fuzz_written.n + 1;
                    return null;
                end $$""").update();
        for (String table : WRITTEN) {
            jdbc.sql("create or replace trigger fuzz_count_write after insert or update or delete on " + table
                    + " for each row execute function fuzz_count_write()").update();
        }
    }

    @org.junit.jupiter.api.AfterAll
    void stopWatchingWrites() {
        for (String table : WRITTEN) {
            jdbc.sql("drop trigger if exists fuzz_count_write on " + table).update();
        }
        jdbc.sql("drop function if exists fuzz_count_write()").update();
        jdbc.sql("drop table if exists fuzz_written").update();
    }

    private static String changed(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream().filter(e -> !e.getValue().equals(before.getOrDefault(e.getKey(), 0L)))
                .map(e -> e.getKey() + " +" + (e.getValue() - before.getOrDefault(e.getKey(), 0L))).collect(Collectors.joining(", "));
    }

    private static String escape(String text) {
        StringBuilder b = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private void report(String what, int endpoints, long started, Map<String, Integer> reached) {
        System.out.printf("fuzz %s: seed %d, %d endpoints/types, %d requests (%s), roles %s, %d failures, %.1f s (%.1f s counting rows)%n",
                what, SEED, endpoints, requests, statuses, reached, failures.size(), (System.nanoTime() - started) / 1e9, snapshotNanos / 1e9);
    }
}
