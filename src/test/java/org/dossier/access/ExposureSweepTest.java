package org.dossier.access;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The opposite of {@link EndpointSweepTest}: a legitimate caller with a real relationship gets data, and every patient
 * an answer shows must be accounted for (invariant 3, issue 16). Every GET mapping of the running server (REST, pages,
 * htmx fragments, CSV downloads) and every FHIR read, vread, history and search of its CapabilityStatement is called as
 * each demo role (physician, nurse, front desk, billing, administrator, security officer) with demo data that role
 * reaches: the fixture patient on the physician's and nurse's care team with a stay in their unit, the physician's own
 * agenda, the cardiology census, the facility's claims. For each 2xx answer, every patient it shows — named ("Family
 * Given"), or referenced by id in an id-like context ({@code "patientId":12}, {@code /patients/12}, {@code Patient/12}),
 * by IPP, NIR or INS, or named by the request's own path ({@code /api/patients/12/...}) — must have a patient-scoped
 * audit entry carrying this request's id, and a guard_touch row of the caller for that patient touched by this request.
 * A mapping that is neither swept nor in {@link #EXCLUDED} fails the test, so a new endpoint is swept the day it is added.
 */
class ExposureSweepTest extends IntegrationTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final List<String> ROLES = List.of("physician", "nurse", "frontdesk", "billing", "admin", "security");

    /**
     * GET mappings deliberately not swept, each with its reason. Anything else that the server maps is swept: a new
     * mapping whose path variables the sweep cannot fill fails the test until it is taught here or excluded.
     */
    private static final Map<String, String> EXCLUDED = Map.ofEntries(
            // Before any account is signed in: nothing of a patient can be shown.
            entry("GET /signin", "sign-in page, anonymous: answers no patient data"),
            entry("GET /signin/link", "enrolment link, anonymous, needs a one-time enrolment token: answers no patient data"),
            entry("GET /signin/second-factor", "second sign-in step, anonymous: answers no patient data"),
            entry("GET /signin/enrol", "second-factor enrolment of a new account: answers no patient data"),
            // Spring Boot's error page: renders the status of another request, never a record.
            entry("GET /error", "Spring Boot's error endpoint: answers the status of another request, no patient data"),
            entry("HEAD /error", "Spring Boot's error endpoint"),
            // The OpenAPI document (no login needed, holds no data).
            entry("GET /api/docs", "OpenAPI description of the API: no patient data"),
            entry("GET /api/docs/swagger-config", "OpenAPI UI configuration: no patient data"),
            entry("GET /api/docs.yaml", "OpenAPI description of the API: no patient data"),
            // A pending grant of roles to a staff account (ADR 0019): staff data only.
            entry("GET /api/staff/grants/{grantId}", "a grant of roles to a staff account: names staff, never a patient"),
            // HAPI's definitions of the server's own operations ($import): a description of the API, no patient data.
            entry("FHIR OperationDefinition read", "definition of a FHIR operation of the server: no patient data"),
            // The consent page of a SMART app (ADR 0028): it answers only with the state of a pending authorization request,
            // and shows the app and its scopes, never a patient (the person types the patient; the gateway decides on the
            // POST). Driven end to end, with its refusals audited, by SmartLaunchTest.
            entry("GET /smart/consent", "consent page of a pending SMART authorization: names an app and scopes, no patient data"),
            // A data-key rotation's progress (ADR 0047): a facility and counts of values sealed again; names no patient.
            entry("GET /api/access/data-keys/rotations/{rotationId}", "progress of a data-key rotation: counts, no patient data"));

    /**
     * Mappings whose request names a patient that the answer does not show: the page echoes back the id it was given
     * and reads nothing of the patient (it answers the same for any number). Their bodies are still scanned.
     */
    private static final Map<String, String> ECHOES_ONLY = Map.ofEntries(
            entry("GET /stays/new", "the admission form puts the requested patient id into a hidden field; it reads no record "
                    + "and answers alike for a patient who does not exist"));

    /** Mappings whose path variable needs a record other than the one its segment names by default. */
    private static final Map<String, String> VARIABLE_OF_PATTERN = Map.ofEntries(
            // only a restricted record has a restriction to show
            entry("/api/patients/{patientId}/restriction", "restrictedPatient"));

    /** The segment before a path variable, and which fixture record fills it. */
    private static final Map<String, String> VARIABLE_OF_SEGMENT = Map.ofEntries(
            entry("patients", "patient"), entry("notes", "note"), entry("allergies", "allergy"), entry("problems", "problem"),
            entry("observations", "observation"), entry("documents", "document"), entry("prescriptions", "prescription"),
            entry("stays", "stay"), entry("appointments", "appointment"), entry("invoices", "invoice"), entry("claims", "claim"),
            entry("care-team", "careTeamMember"), entry("referrals", "referral"), entry("patient-merges", "merge"),
            entry("practitioners", "practitioner"), entry("facilities", "facility"), entry("staff", "staff"),
            entry("accounts", "staff"), entry("alerts", "alert"));

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private final Map<String, BrowserSession> sessions = new HashMap<>();
    private PatientIndex index;

    @Test
    void everyAnswerThatShowsAPatientIsAuditedAndChargedForEachPatientItShows() {
        Map<String, List<String>> ids = SweepRecords.records(this::as, fixtures(), jdbc, FAMILY, GIVEN);
        index = new PatientIndex(jdbc, cipher());
        List<String> failures = new ArrayList<>();
        List<String> uncharged = new ArrayList<>();
        Set<String> swept = new TreeSet<>();
        Map<String, Integer> answered = new LinkedHashMap<>();

        // 1. Every GET the MVC mappings serve: REST (/api/**) with the role's API token, anything else as a browser session.
        for (var mapping : mappings.getHandlerMethods().keySet()) {
            Set<RequestMethod> methods = mapping.getMethodsCondition().getMethods();
            if (!methods.isEmpty() && !methods.contains(RequestMethod.GET)) {
                continue;
            }
            for (String pattern : mapping.getPatternValues()) {
                String key = "GET " + pattern;
                if (EXCLUDED.containsKey(key)) {
                    continue;
                }
                List<String> urls = concrete(pattern, ids);
                if (urls.isEmpty()) {
                    failures.add(key + ": neither swept nor excluded (the sweep cannot fill its path variables: teach "
                            + "VARIABLE_OF_SEGMENT/variants, or add it to EXCLUDED with the reason)");
                    continue;
                }
                swept.add(key);
                answered.putIfAbsent(key, 0);
                for (String url : urls) {
                    for (String role : ROLES) {
                        Api.Response r = call(role, url);
                        if (r.status() / 100 == 2) {
                            answered.merge(key, 1, Integer::sum);
                        }
                        check(key, url, role, r, ECHOES_ONLY.containsKey(key), uncharged);
                    }
                }
            }
        }

        // 2. Every FHIR read / vread / history / search the server declares in its CapabilityStatement.
        Api.Response metadata = anonymous().get("/fhir/metadata");
        assertThat(metadata.status()).as(metadata.toString()).isEqualTo(200);
        for (JsonNode resource : metadata.json().get("rest").get(0).get("resource")) {
            String type = resource.get("type").asString();
            Set<String> params = new HashSet<>();
            if (resource.has("searchParam")) {
                resource.get("searchParam").forEach(p -> params.add(p.get("name").asString()));
            }
            for (JsonNode interaction : resource.get("interaction")) {
                String code = interaction.get("code").asString();
                if (!Set.of("read", "vread", "history-instance", "history-type", "search-type").contains(code)) {
                    continue; // create, update, delete: changes, swept by their own tests
                }
                String key = "FHIR " + type + " " + code;
                if (EXCLUDED.containsKey(key)) {
                    continue;
                }
                List<String> urls = SweepRecords.fhirUrls(type, code, params, ids);
                if (urls.isEmpty()) {
                    failures.add(key + ": neither swept nor excluded (teach fhirUrls the resource type)");
                    continue;
                }
                swept.add(key);
                askEveryRole(key, urls, answered, uncharged);
            }
            // Operations on the type or an instance ($everything): answers like any other.
            if (resource.has("operation")) {
                for (JsonNode operation : resource.get("operation")) {
                    String name = operation.get("name").asString().replaceFirst("^\\$", "");
                    String key = "FHIR " + type + " $" + name;
                    if (EXCLUDED.containsKey(key)) {
                        continue;
                    }
                    String patient = ids.get("patient").get(0);
                    List<String> urls = type.equals("Patient") && name.equals("everything")
                            ? List.of("/fhir/Patient/" + patient + "/$everything", "/fhir/Patient/" + patient + "/$everything?_count=5")
                            : List.of();
                    if (urls.isEmpty()) {
                        failures.add(key + ": neither swept nor excluded (teach the sweep the operation)");
                        continue;
                    }
                    swept.add(key);
                    askEveryRole(key, urls, answered, uncharged);
                }
            }
        }

        answered.forEach((key, n) -> {
            if (n == 0 && !NEVER_ANSWERED_OK.containsKey(key)) {
                failures.add(key + ": no role was ever answered 2xx, so nothing of it was swept (fix its demo data or variants)");
            }
        });
        System.out.println("ExposureSweepTest swept " + swept.size() + " endpoints/interactions: " + swept);
        showing.forEach((k, v) -> System.out.println("SHOWS " + k + ": " + v.size() + " patient(s)"));
        uncharged.forEach(u -> System.out.println("UNCHARGED " + u));
        failures.forEach(f -> System.out.println("SWEEP FAILURE " + f));
        assertThat(swept).as("the sweep found the endpoints").hasSizeGreaterThan(80);
        // The detector itself: the lists of the day's work and the records of the fixture patient are seen to show patients.
        assertThat(showing.keySet()).as("answers seen to show patients").contains("GET /api/patients/{id}", "GET /patients/{id}",
                "GET /api/practitioners/{id}/appointments", "GET /schedule", "GET /api/inpatients", "GET /", "GET /api/claims",
                "GET /billing", "FHIR Patient read", "FHIR Observation search-type", "FHIR Patient $everything");
        assertThat(showing.get("GET /schedule")).as("patients seen on the schedule pages").hasSizeGreaterThan(3);
        assertThat(failures).as("every mapping swept or excluded, and answered").isEmpty();
        assertThat(uncharged).as("answers that showed patients without an audit entry and a guard charge for each").isEmpty();
    }

    /** Swept mappings that legitimately answer 2xx to no demo role with demo data, and why. */
    private static final Map<String, String> NEVER_ANSWERED_OK = Map.ofEntries(
            // an alert exists only once the guard raised one; with the raised thresholds of the shared server there may be none
            entry("GET /api/guard/alerts/{id}", "no guard alert in the shared test server"),
            // The patient portal's pages answer a signed-in patient only, never a staff role (its own filter chain, ADR 0039):
            // PortalTest signs a patient in and checks each read is audited as the patient's own (PATIENT_SELF); PortalSweepTest
            // asks every route as a patient with another patient's ids.
            entry("GET /portal", "the patient portal: patients only (PortalTest, PortalSweepTest)"),
            entry("GET /portal/", "the patient portal: patients only (PortalTest, PortalSweepTest)"),
            entry("GET /portal/record", "the patient portal: patients only (PortalTest, PortalSweepTest)"),
            entry("GET /portal/accesses", "the patient portal: patients only (PortalTest, PortalSweepTest)"),
            entry("GET /portal/accesses.csv", "the patient portal: patients only (PortalTest, PortalSweepTest)"),
            entry("GET /portal/cases", "the patient portal: patients only (PortalTest, PortalSweepTest)"),
            entry("GET /portal/invoices", "the patient portal: patients only (PortalInvoiceTest, PortalSweepTest)"),
            entry("GET /portal/results", "the patient portal: patients only (PortalReleaseTest, PortalSweepTest)"),
            entry("GET /portal/documents", "the patient portal: patients only (PortalReleaseTest, PortalSweepTest)"),
            entry("GET /portal/documents/{id}", "the patient portal: patients only (PortalReleaseTest, PortalSweepTest)"),
            entry("GET /portal/accesses.pdf", "the patient portal: patients only (PortalAccessPdfTest, PortalSweepTest)"),
            entry("GET /portal/signin/code", "the portal's second sign-in step: redirects unless a password step is pending"),
            entry("GET /portal/confirm", "the patient portal's step-up before a download: patients only (PortalStepUpTest)"),
            entry("GET /portal/apps/consent", "a patient allowing their own app (ADR 0045): patients only, with a pending "
                    + "authorization (PatientAppLaunchTest, PortalSweepTest)"));

    // ---------------------------------------------------------------------------------------------------------------
    // Checking one answer

    /** Each URL asked by every role; the 2xx answers counted under {@code key}, and each answer checked. */
    private void askEveryRole(String key, List<String> urls, Map<String, Integer> answered, List<String> uncharged) {
        answered.putIfAbsent(key, 0);
        for (String url : urls) {
            for (String role : ROLES) {
                as(role).token();
                startCall(role);
                Api.Response r = as(role).get(url);
                if (r.status() / 100 == 2) {
                    answered.merge(key, 1, Integer::sum);
                }
                check(key, url, role, r, false, uncharged);
            }
        }
    }

    private void check(String key, String url, String role, Api.Response r, boolean echoesOnly, List<String> uncharged) {
        if (r.status() / 100 != 2) {
            return;
        }
        Instant before = lastCallStart;
        String requestId = r.header("X-Request-Id");
        Map<Long, String> evidence = index.evidence(r.body());
        Set<Long> shown = new TreeSet<>(evidence.keySet());
        Long named = echoesOnly ? null : patientOfUrl(url);
        if (named != null) {
            shown.add(named);
        }
        List<Set<Long>> ambiguous = index.familyOnly(r.body(), shown);
        if (shown.isEmpty() && ambiguous.isEmpty()) {
            return;
        }
        showing.computeIfAbsent(key, k -> new TreeSet<>()).addAll(shown);
        long staff = staffId(role);
        Set<Long> audited = requestId == null ? Set.of() : new HashSet<>(jdbc.sql("""
                select distinct patient_id from audit_entry where request_id = ? and patient_id is not null and decision = 'ALLOW'""")
                .param(requestId).query(Long.class).list());
        Set<Long> charged = new HashSet<>(jdbc.sql("select patient_id from guard_touch where staff_id = ? and last_at >= ?")
                .param(staff).param(Timestamp.from(before)).query(Long.class).list());
        // The security officer's oversight views (audit trail, exposure and access reports, alerts, restrictions) show
        // patient ids with the trail's own fields: audited one entry per patient, deliberately not charged (ADR 0018).
        charged.addAll(requestId == null ? Set.of() : jdbc.sql("""
                select distinct patient_id from audit_entry where request_id = ? and patient_id is not null and reason_code = 'OVERSIGHT'
                   and actor_roles = 'SECURITY_OFFICER'""").param(requestId).query(Long.class).list());
        Set<Long> notAudited = new TreeSet<>(shown);
        notAudited.removeAll(audited);
        Set<Long> notCharged = new TreeSet<>(shown);
        notCharged.removeAll(charged);
        List<String> unclear = new ArrayList<>();
        for (Set<Long> candidates : ambiguous) {
            if (candidates.stream().noneMatch(audited::contains)) {
                unclear.add(index.familyOf(candidates.iterator().next()) + " (one of " + candidates.size() + " patients)");
            }
        }
        if (!notAudited.isEmpty() || !notCharged.isEmpty() || !unclear.isEmpty()) {
            uncharged.add(key + " as " + role + " (" + url + ") → " + r.status() + ": showed " + shown.size() + " patient(s) "
                    + abbreviateIds(shown) + "; not audited with request id " + requestId + ": " + abbreviateIds(notAudited)
                    + "; not charged to the guard: " + abbreviateIds(notCharged)
                    + "; seen as " + notAudited.stream().limit(3).map(p -> p + " ← " + evidence.getOrDefault(p, "the request's own path")).toList()
                    + (unclear.isEmpty() ? "" : "; family names shown and no namesake audited: " + unclear));
        }
    }

    private static String abbreviateIds(Set<Long> ids) {
        if (ids.size() <= 12) {
            return ids.toString();
        }
        return ids.stream().limit(12).toList() + "… (" + ids.size() + ")";
    }

    private static final Pattern PATIENT_IN_URL = Pattern.compile("(?:/patients/|[?&]patient=|Patient/|CareTeam/|Coverage/)(\\d+)");

    /** The patient the request itself names (its path or query), whose data any 2xx answer is about. */
    private Long patientOfUrl(String url) {
        Matcher m = PATIENT_IN_URL.matcher(url);
        if (m.find()) {
            long id = Long.parseLong(m.group(1));
            return index.exists(id) ? id : null;
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Calling

    private Instant lastCallStart;
    /** Per endpoint, the patients its answers were seen to show. */
    private final Map<String, Set<Long>> showing = new TreeMap<>();

    private Api.Response call(String role, String url) {
        if (url.startsWith("/api/")) {
            as(role).token(); // sign in first, so that the call's start time is the call's
            startCall(role);
            return as(role).get(url);
        }
        BrowserSession session = sessions.computeIfAbsent(role, u -> BrowserSession.signedIn(port, u));
        startCall(role);
        return url.endsWith(".csv") || url.contains(".csv?") ? session.get(url) : session.page(url);
    }

    /**
     * The guard counts to the second: a patient touched again within a second of its last touch moves no count and its
     * row is left as it is (migration V43). So that a charge shows as a row touched by this call, the caller's touches of
     * the last two seconds are first moved two seconds back; the call must then touch each patient it shows anew.
     */
    private void startCall(String role) {
        jdbc.sql("""
                update guard_touch set last_at = last_at - interval '2 seconds', opened_at = opened_at - interval '2 seconds',
                       worked_at = worked_at - interval '2 seconds'
                 where staff_id = ? and (last_at > now() - interval '2 seconds' or opened_at > now() - interval '2 seconds'
                       or worked_at > now() - interval '2 seconds')""").param(staffId(role)).update();
        lastCallStart = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusMillis(1);
    }

    private final Map<String, Long> staffIds = new HashMap<>();

    private long staffId(String username) {
        return staffIds.computeIfAbsent(username, u -> jdbc.sql("select id from staff where username = ?").param(u).query(Long.class).single());
    }

    /** The URLs that exercise one mapping: its path variables filled with reachable records, and its query variants. */
    private List<String> concrete(String pattern, Map<String, List<String>> ids) {
        List<String> paths = new ArrayList<>(List.of(pattern));
        Matcher m = Pattern.compile("([^/]+)/\\{[^}]+}").matcher(pattern);
        while (m.find()) {
            String kind = VARIABLE_OF_PATTERN.getOrDefault(pattern, VARIABLE_OF_SEGMENT.get(m.group(1)));
            if (kind == null || !ids.containsKey(kind)) {
                return List.of();
            }
            List<String> next = new ArrayList<>();
            for (String p : paths) {
                for (String value : ids.get(kind)) {
                    next.add(p.replaceFirst("\\{[^}]+}", value));
                }
            }
            paths = next;
        }
        if (pattern.contains("{") && paths.stream().anyMatch(p -> p.contains("{"))) {
            return List.of();
        }
        String today = LocalDate.now(PARIS).toString();
        String tomorrow = LocalDate.now(PARIS).plusDays(1).toString();
        String yesterday = LocalDate.now(PARIS).minusDays(1).toString();
        String from = Instant.now().minus(1, ChronoUnit.DAYS).toString();
        String to = Instant.now().plus(1, ChronoUnit.DAYS).toString();
        String patient = ids.get("patient").get(0);
        List<String> queries = switch (pattern) {
            case "/api/patients", "/patients" -> List.of("?name=" + enc(FAMILY) + "&given=" + enc(GIVEN), "?ipp=" + ids.get("ipp").get(0));
            case "/api/practitioners/{id}/slots" -> List.of("?date=" + today);
            case "/api/practitioners/{id}/appointments" -> List.of("?from=" + yesterday + "&to=" + tomorrow);
            case "/api/audit/accounts/{staffId}/exposure" -> List.of("?from=" + from + "&to=" + to, "?from=" + from + "&to=" + to + "&format=csv");
            case "/api/audit/events" -> List.of("?from=" + from + "&to=" + to, "?from=" + from + "&to=" + to + "&patient=" + patient);
            case "/stays/new" -> List.of("?patient=" + patient);
            case "/schedule" -> {
                List<String> q = new ArrayList<>(List.of(""));
                for (String practitioner : ids.get("practitioner")) {
                    q.add("?practitioner=" + practitioner + "&date=" + today);
                    q.add("?practitioner=" + practitioner + "&date=" + today + "&view=week");
                }
                q.add("?who=" + enc(ids.get("practitionerName").get(0)));
                yield q;
            }
            case "/patients/{id}" -> List.of("?tab=summary", "?tab=notes", "?tab=allergies", "?tab=problems", "?tab=prescriptions",
                    "?tab=observations", "?tab=documents", "?tab=appointments", "?tab=stays", "?tab=billing");
            case "/billing" -> List.of("", "?status=SENT", "?status=ACCEPTED", "?status=REJECTED");
            case "/api/claims" -> List.of("", "?status=TO_SEND", "?status=SENT", "?status=ACCEPTED", "?status=REJECTED");
            case "/security/audit" -> List.of("", "?patient=" + patient, "?refusals=true");
            case "/billing/acts" -> List.of("?actCode=ATM");
            case "/api/acts" -> List.of("?q=ATM");
            case "/api/inpatients" -> List.of("", "?unitId=" + ids.get("unit").get(0));
            case "/api/access/break-glass" -> List.of("", "?pending=false");
            case "/api/guard/alerts" -> List.of("", "?all=true");
            case "/api/staff", "/admin/staff" -> List.of("", "?q=" + enc(ids.get("practitionerName").get(0)));
            default -> List.of("");
        };
        List<String> urls = new ArrayList<>();
        for (String p : paths) {
            for (String q : queries) {
                urls.add(p + q);
            }
        }
        return urls;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Demo data the roles legitimately reach

    private static final String FAMILY = "Exposaille";
    private static final String GIVEN = "Brunehilde";

    // ---------------------------------------------------------------------------------------------------------------
    // Finding the patients an answer shows

    /** Every patient of the database (demo and fixtures), by the ways an answer can show them. */
    static final class PatientIndex {
        private static final Pattern ID_CONTEXT = Pattern.compile(
                "\"patientId\"\\s*:\\s*\"?(\\d+)|\"patient\"\\s*:\\s*\"?(\\d+)|/patients/(\\d+)(?![\\d])|Patient/(\\d+)(?![\\d])"
                        + "|[?&](?:amp;)?patient=(\\d+)(?![\\d])|\"subjectId\"\\s*:\\s*(\\d+)|\"survivorId\"\\s*:\\s*(\\d+)|\"mergedId\"\\s*:\\s*(\\d+)");
        private static final Pattern NINE_DIGITS = Pattern.compile("(?<![0-9A-Za-z.])(\\d{9})(?![0-9A-Za-z])");
        private static final Pattern FIFTEEN = Pattern.compile("(?<![0-9A-Za-z.])([0-9][0-9AB]\\d{13})(?![0-9A-Za-z])");
        private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}'’-]*");

        private final Set<Long> ids = new HashSet<>();
        private final Map<String, Long> byIpp = new HashMap<>();
        private final Map<String, Set<Long>> byNir = new HashMap<>();
        /** First word of a family name (birth or used), lower case → the patients and their "Family Given" labels. */
        private final Map<String, List<Label>> byFirstWord = new HashMap<>();
        private final Map<Long, String> family = new HashMap<>();
        /** Words that also name staff, units or facilities: a family name alone matching one of them proves nothing. */
        private final Set<String> notPatientWords = new HashSet<>();

        record Label(long id, String family, String full) {
        }

        PatientIndex(org.springframework.jdbc.core.simple.JdbcClient jdbc, org.dossier.platform.crypto.FieldCipher cipher) {
            // the identity columns are sealed (V57): opened here as the server would
            org.dossier.support.IntegrationTest.identities(jdbc, cipher, "").forEach((id, identity) -> {
                ids.add(id);
                byIpp.put(identity.ipp(), id);
                for (String v : new String[]{identity.insMatricule(), identity.coverageNir()}) {
                    if (v != null && !v.isBlank()) {
                        byNir.computeIfAbsent(v.strip(), k -> new HashSet<>()).add(id);
                    }
                }
                String given = identity.givenNames();
                family.put(id, identity.birthFamilyName());
                for (String fam : new String[]{identity.birthFamilyName(), identity.usedName()}) {
                    if (fam == null || fam.isBlank()) {
                        continue;
                    }
                    String first = fam.strip().split("[\\s'’-]+")[0].toLowerCase(Locale.ROOT);
                    byFirstWord.computeIfAbsent(first, k -> new ArrayList<>()).add(new Label(id, fam.strip(), fam.strip() + " " + given.strip()));
                }
            });
            for (String sql : List.of("select display_name from staff", "select name from care_unit", "select name from facility",
                    "select username from staff")) {
                jdbc.sql(sql).query(String.class).list().forEach(s -> {
                    Matcher w = WORD.matcher(s == null ? "" : s);
                    while (w.find()) {
                        notPatientWords.add(w.group().toLowerCase(Locale.ROOT));
                    }
                });
            }
        }

        boolean exists(long id) {
            return ids.contains(id);
        }

        String familyOf(long id) {
            return family.get(id);
        }

        /** Patients shown unambiguously: by id in an id-like context, IPP, NIR/INS, or full "Family Given". */
        Set<Long> identified(String rawBody) {
            return evidence(rawBody).keySet();
        }

        /** The patients an answer shows unambiguously, each with the first text that shows it. */
        Map<Long, String> evidence(String rawBody) {
            Map<Long, String> found = new LinkedHashMap<>();
            if (rawBody == null || rawBody.isEmpty()) {
                return found;
            }
            String body = unescape(rawBody);
            Matcher m = ID_CONTEXT.matcher(body);
            while (m.find()) {
                for (int g = 1; g <= m.groupCount(); g++) {
                    if (m.group(g) != null) {
                        long id = Long.parseLong(m.group(g));
                        if (ids.contains(id)) {
                            found.putIfAbsent(id, "id: " + m.group());
                        }
                    }
                }
            }
            m = NINE_DIGITS.matcher(body);
            while (m.find()) {
                Long id = byIpp.get(m.group(1));
                if (id != null) {
                    found.putIfAbsent(id, "IPP " + m.group(1));
                }
            }
            m = FIFTEEN.matcher(body);
            while (m.find()) {
                Set<Long> owners = byNir.get(m.group(1));
                if (owners != null && owners.size() == 1) {
                    found.putIfAbsent(owners.iterator().next(), "NIR/INS " + m.group(1));
                }
            }
            m = WORD.matcher(body);
            while (m.find()) {
                List<Label> labels = byFirstWord.get(m.group().toLowerCase(Locale.ROOT));
                if (labels == null) {
                    continue;
                }
                // The longest full name written here is the one shown ("Caron Mathieu Paul" is not "Caron Mathieu"); two
                // patients with that very name are namesakes, and a name alone does not tell which was shown.
                List<Label> longest = new ArrayList<>();
                for (Label l : labels) {
                    if (body.regionMatches(true, m.start(), l.full(), 0, l.full().length())
                            && !isLetter(body, m.start() + l.full().length())) {
                        if (!longest.isEmpty() && l.full().length() > longest.get(0).full().length()) {
                            longest.clear();
                        }
                        if (longest.isEmpty() || l.full().length() == longest.get(0).full().length()) {
                            longest.add(l);
                        }
                    }
                }
                if (longest.size() == 1) {
                    found.putIfAbsent(longest.get(0).id(), "name: " + longest.get(0).full());
                }
            }
            return found;
        }

        /**
         * Family names of at least 5 letters shown alone (not as part of a full name already identified), each as the
         * set of patients it may be; words that also name staff, units or facilities are left out.
         */
        List<Set<Long>> familyOnly(String rawBody, Set<Long> identified) {
            List<Set<Long>> result = new ArrayList<>();
            if (rawBody == null || rawBody.isEmpty()) {
                return result;
            }
            String body = unescape(rawBody);
            Set<String> seen = new HashSet<>();
            Matcher m = WORD.matcher(body);
            while (m.find()) {
                String word = m.group().toLowerCase(Locale.ROOT);
                List<Label> labels = byFirstWord.get(word);
                if (labels == null || notPatientWords.contains(word) || !seen.add(word)) {
                    continue;
                }
                Set<Long> candidates = new TreeSet<>();
                for (Label l : labels) {
                    if (l.family().length() >= 5 && body.regionMatches(true, m.start(), l.family(), 0, l.family().length())
                            && !isLetter(body, m.start() + l.family().length())) {
                        candidates.add(l.id());
                    }
                }
                if (!candidates.isEmpty() && candidates.stream().noneMatch(identified::contains)) {
                    result.add(candidates);
                }
            }
            return result;
        }

        private static boolean isLetter(String s, int at) {
            return at < s.length() && Character.isLetter(s.charAt(at));
        }

        private static String unescape(String s) {
            return s.replace("&#39;", "'").replace("&#x27;", "'").replace("&amp;", "&").replace("&quot;", "\"")
                    .replace("\\u0027", "'");
        }
    }
}
