package org.dossier.audit;

import org.dossier.support.Api;
import org.dossier.support.BrowserSession;
import org.dossier.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.ValueConstants;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every probe of a record that does not exist, and every read of a patient the caller's work does not explain, writes
 * exactly one DENY entry and nothing else — over the REST API and the pages alike (FHIR: {@link ChangeAuditSweepTest}).
 * The endpoints come from the running server's mappings, so a new one is swept without being listed here.
 */
class RefusalAuditSweepTest extends IntegrationTest {

    private static final String MISSING = "987654321";

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void everyProbeOfAMissingRecordWritesOneDenyEntryOnEveryChannel() {
        Api api = as("physician");
        BrowserSession pages = BrowserSession.signedIn(port, "physician");
        List<String> wrong = new ArrayList<>();
        Map<String, HandlerMethod> probes = probes();
        assertThat(probes).as("the sweep finds the GET paths that name a record").hasSizeGreaterThan(20);
        for (var probe : probes.entrySet()) {
            String pattern = probe.getKey();
            String path = pattern.replaceAll("\\{[^}]+}", MISSING);
            boolean rest = probe.getValue().getBeanType().isAnnotationPresent(RestController.class);
            Api.Response r = rest ? api.get(path) : pages.page(path);
            check(pattern, r, wrong, status -> status == 404 || status == 403);
        }
        assertThat(wrong).as("probes without exactly one DENY entry").isEmpty();
    }

    @Test
    void everyReadOfAPatientNothingExplainsWritesOneDenyEntryOnEveryChannel() {
        // A patient of the physician's facility that nothing in the physician's work explains.
        long stranger = fixtures().patient();
        Api api = as("physician");
        BrowserSession pages = BrowserSession.signedIn(port, "physician");
        List<String> wrong = new ArrayList<>();
        int swept = 0;
        for (var probe : probes().entrySet()) {
            String pattern = probe.getKey();
            if (!pattern.matches("^/(api/)?patients/\\{[^}]+}(/[a-z-]+)?$") || pattern.endsWith("/my-relationship")) {
                // my-relationship answers "nothing links you" as an allowed, counted question (WorkOfTheDayTest).
                continue;
            }
            swept++;
            String path = pattern.replaceAll("\\{[^}]+}", Long.toString(stranger));
            boolean rest = probe.getValue().getBeanType().isAnnotationPresent(RestController.class);
            Api.Response r = rest ? api.get(path) : pages.page(path);
            check(pattern, r, wrong, status -> status == 403);
        }
        assertThat(swept).as("patient paths swept").isGreaterThan(10);
        assertThat(wrong).as("refused reads without exactly one DENY entry").isEmpty();
    }

    private void check(String pattern, Api.Response r, List<String> wrong, Function<Integer, Boolean> refused) {
        String requestId = r.header("X-Request-Id");
        if (!refused.apply(r.status()) || requestId == null) {
            wrong.add(pattern + " answered " + r.status() + (requestId == null ? " without a request id" : ""));
            return;
        }
        List<Map<String, Object>> entries = jdbc.sql("select decision, reason_code, action from audit_entry where request_id = ?")
                .param(requestId).query().listOfRows();
        long denied = entries.stream().filter(e -> "DENY".equals(e.get("decision"))).count();
        if (denied != 1 || entries.size() != 1) {
            wrong.add(pattern + " → " + r.status() + ", trail " + entries);
        }
    }

    /** GET mappings whose path names a record and that need no other parameter: what an identifier walk calls. */
    private Map<String, HandlerMethod> probes() {
        Map<String, HandlerMethod> found = new TreeMap<>();
        for (var entry : mappings.getHandlerMethods().entrySet()) {
            var methods = entry.getKey().getMethodsCondition().getMethods();
            if (!methods.isEmpty() && !methods.contains(RequestMethod.GET)) {
                continue;
            }
            if (!entry.getValue().getBeanType().getPackageName().startsWith("org.dossier") || needsParameters(entry.getValue())) {
                continue;
            }
            for (String pattern : entry.getKey().getPatternValues()) {
                // The portal's own chain answers a staff session with its sign-in (ADR 0039): PortalSweepTest probes it as a
                // patient, and a patient's probe of another patient's document is audited (PortalReleaseTest).
                if (pattern.startsWith("/portal/")) {
                    continue;
                }
                if (pattern.contains("{") && !pattern.contains("**") && numericVariables(entry.getValue())) {
                    found.put(pattern, entry.getValue());
                }
            }
        }
        return found;
    }

    private static boolean needsParameters(HandlerMethod handler) {
        for (MethodParameter p : handler.getMethodParameters()) {
            RequestParam param = p.getParameterAnnotation(RequestParam.class);
            if (param != null && param.required() && ValueConstants.DEFAULT_NONE.equals(param.defaultValue())
                    && !p.isOptional()) {
                return true;
            }
        }
        return false;
    }

    /** Identifier walks use numbers: a path variable of another type (a code, a kind) is not an identifier. */
    private static boolean numericVariables(HandlerMethod handler) {
        for (MethodParameter p : handler.getMethodParameters()) {
            if (p.hasParameterAnnotation(PathVariable.class)) {
                Class<?> type = p.getParameterType();
                if (type != long.class && type != Long.class && type != int.class && type != Integer.class) {
                    return false;
                }
            }
        }
        return true;
    }
}
